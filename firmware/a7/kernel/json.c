/* A minimal JSON reader for app manifests: enough to walk objects and arrays and read
   strings and integers. It reads in place (no allocation); every function is bounded by
   the end of the text, so a truncated or hostile manifest cannot walk off it. */
#include "json.h"

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\') { p++; continue; }
        if (*p == '"') return p + 1;
    }
    return 0;
}

const char *json_skip(const char *p, const char *end, int depth)
{
    p = ws(p, end);
    if (p >= end || depth > 16) return 0;
    if (*p == '"') return skip_string(p, end);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                p = ws(p, end);
                if (p >= end || *p != '"' || !(p = skip_string(p, end))) return 0;
                p = ws(p, end);
                if (p >= end || *p != ':') return 0;
                p++;
            }
            if (!(p = json_skip(p, end, depth + 1))) return 0;
            p = ws(p, end);
            if (p >= end) return 0;
            if (*p == close) return p + 1;
            if (*p != ',') return 0;
            p++;
        }
    }
    /* numbers, true, false, null */
    const char *start = p;
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
           *p != '\r' && *p != '\t') p++;
    return p > start ? p : 0;
}

/* Compare a JSON string token (no escapes in keys we look for) with a C string. */
static int key_is(const char *p, const char *end, const char *key)
{
    p++;
    while (*key && p < end && *p == *key) p++, key++;
    return !*key && p < end && *p == '"';
}

const char *json_member(const char *obj, const char *end, const char *key)
{
    const char *p = ws(obj, end);
    if (p >= end || *p != '{') return 0;
    p = ws(p + 1, end);
    if (p < end && *p == '}') return 0;
    for (;;) {
        p = ws(p, end);
        if (p >= end || *p != '"') return 0;
        int match = key_is(p, end, key);
        if (!(p = skip_string(p, end))) return 0;
        p = ws(p, end);
        if (p >= end || *p != ':') return 0;
        p = ws(p + 1, end);
        if (match) return p;
        if (!(p = json_skip(p, end, 1))) return 0;
        p = ws(p, end);
        if (p >= end || *p != ',') return 0;
        p++;
    }
}

int json_string(const char *p, const char *end, char *out, size_t cap)
{
    p = ws(p, end);
    if (p >= end || *p != '"' || cap == 0) return -1;
    size_t n = 0;
    for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\' || (unsigned char)*p < 0x20) return -1;   /* manifests need none */
        if (n + 1 >= cap) return -1;
        out[n++] = *p;
    }
    if (p >= end) return -1;
    out[n] = '\0';
    return (int)n;
}

int json_int(const char *p, const char *end, int32_t *out)
{
    p = ws(p, end);
    int neg = p < end && *p == '-';
    if (neg) p++;
    if (p >= end || *p < '0' || *p > '9') return -1;
    int64_t v = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        if (v > 0x7FFFFFFF) return -1;
    }
    *out = (int32_t)(neg ? -v : v);
    return 0;
}

const char *json_array_first(const char *p, const char *end)
{
    p = ws(p, end);
    if (p >= end || *p != '[') return 0;
    p = ws(p + 1, end);
    return p < end && *p != ']' ? p : 0;
}

const char *json_array_next(const char *elem, const char *end)
{
    const char *p = json_skip(elem, end, 1);
    if (!p) return 0;
    p = ws(p, end);
    if (p >= end || *p != ',') return 0;
    return ws(p + 1, end);
}
