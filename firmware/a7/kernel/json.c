/* A minimal JSON reader for app manifests: enough to walk objects and arrays and read
   strings and integers. It reads in place (no allocation); every function is bounded by
   the end of the text, so a truncated or hostile manifest cannot walk off it. */
#include "json.h"
#include "string.h"

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if ((unsigned char)*p < 0x20) return 0;   /* raw control characters: not JSON */
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

/* Whether the string token at p decodes to key (keys may be written with escapes). */
static int key_is(const char *p, const char *end, const char *key)
{
    char buf[48];
    return json_string(p, end, buf, sizeof buf) >= 0 && strcmp(buf, key) == 0;
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

static int hex4(const char *p, const char *end, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++, p++) {
        if (p >= end) return -1;
        char c = *p;
        uint32_t d = c >= '0' && c <= '9' ? (uint32_t)(c - '0')
                   : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
                   : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10) : 16u;
        if (d > 15) return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* Decodes the whole string (escapes, \\u surrogate pairs to UTF-8) so that the verdict does
   not depend on where the buffer ends: a string that is not text (NUL, lone surrogate, bad
   escape) is JSON_NOT_TEXT wherever that is; one that is text but does not fit is
   JSON_TOO_LONG. Returns the length otherwise. */
int json_string(const char *p, const char *end, char *out, size_t cap)
{
    p = ws(p, end);
    if (p >= end || *p != '"' || cap == 0) return JSON_NOT_TEXT;
    size_t n = 0;
    for (p++; p < end && *p != '"'; p++) {
        uint32_t cp = (unsigned char)*p;
        if (cp < 0x20) return JSON_NOT_TEXT;
        if (cp == '\\') {
            if (++p >= end) return JSON_NOT_TEXT;
            switch (*p) {
            case '"': case '\\': case '/': cp = (unsigned char)*p; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u':
                if (hex4(p + 1, end, &cp)) return JSON_NOT_TEXT;
                p += 4;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return JSON_NOT_TEXT;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;
                    if (p + 2 >= end || p[1] != '\\' || p[2] != 'u' || hex4(p + 3, end, &lo)
                        || lo < 0xDC00 || lo > 0xDFFF) return JSON_NOT_TEXT;
                    p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (cp == 0) return JSON_NOT_TEXT;
                break;
            default: return JSON_NOT_TEXT;
            }
            uint8_t utf8[4];
            size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (len == 1) utf8[0] = (uint8_t)cp;
            else {
                for (size_t i = len - 1; i > 0; i--, cp >>= 6) utf8[i] = (uint8_t)(0x80 | (cp & 0x3F));
                utf8[0] = (uint8_t)(((0xFF00u >> len) & 0xFFu) | cp);
            }
            for (size_t i = 0; i < len; i++, n++) if (n + 1 < cap) out[n] = (char)utf8[i];
            continue;
        }
        if (n + 1 < cap) out[n] = (char)cp;
        n++;
    }
    if (p >= end) return JSON_NOT_TEXT;
    if (n + 1 > cap) return JSON_TOO_LONG;
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
    /* a fraction or an exponent makes it no integer (the packer reads JSON the same way) */
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return -1;
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
