/* The manifest fields the kernel needs: identity, entry point, type, and the capabilities
   it enforces on system calls (Gpio, Uart, I2cMaster, SpiMaster, Adc, Pwm,
   AllowedApplicationConnections, MutableStorage, PowerControls, SystemEventNotifications).
   Limits and refusal texts come from manifest_rules.h, generated from the packer's own
   rules (sphere_emu/image/manifest_rules.py), and the checks run in the packer's order: a
   package the packer made is never refused here, and what is refused here the packer refuses
   first, with the same words. */
#include <stdarg.h>
#include "json.h"
#include "kernel.h"
#include "manifest_rules.h"
#include "stdio.h"
#include "string.h"

static char reason[200];

static const char *fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = strlen(MANIFEST_PREFIX);
    memcpy(reason, MANIFEST_PREFIX, n);
    vsnprintf(reason + n, sizeof reason - n, fmt, ap);
    va_end(ap);
    return reason;
}

static void lower(char *s)
{
    for (; *s; s++) if (*s >= 'A' && *s <= 'F') *s = (char)(*s - 'A' + 'a');
}

static int is_guid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        int hyphen = i == 8 || i == 13 || i == 18 || i == 23;
        if (hyphen ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                                  || (c >= 'A' && c <= 'F'))) return 0;
    }
    return s[36] == '\0';
}

/* A required string field of at most cap - 1 bytes. */
static const char *text(const char *obj, const char *end, const char *key, char *out, size_t cap)
{
    const char *v = json_member(obj, end, key);
    if (!v) return fail(MANIFEST_E_MISSING, key);
    int n = json_string(v, end, out, cap);
    if (n == JSON_TOO_LONG) return fail(MANIFEST_E_TOO_LONG, key, (int)cap - 1);
    if (n <= 0) return fail(MANIFEST_E_NOT_TEXT, key);
    return 0;
}

static const char *guid(const char *v, const char *end, char *out)
{
    if (json_string(v, end, out, 40) != 36 || !is_guid(out)) return "";
    lower(out);
    return 0;
}

static const char *capabilities(const char *caps, const char *end, struct manifest *m)
{
    static const uint32_t pins[3] = MANIFEST_GPIO_PINS;
    const char *v;
    int i = 0;
    if ((v = json_member(caps, end, "Gpio"))) {
        for (const char *e = json_array_first(v, end); e; e = json_array_next(e, end), i++) {
            int32_t pin;
            if (json_int(e, end, &pin) < 0) return fail(MANIFEST_E_GPIO_NOT_PIN, i);
            if (pin < 0 || pin > 95 || !(pins[pin / 32] >> (pin % 32) & 1))
                return fail(MANIFEST_E_GPIO_NO_PIN, i, (int)pin);
            m->gpio[pin / 32] |= 1u << (pin % 32);
        }
    }
    i = 0;
    if ((v = json_member(caps, end, "Uart"))) {
        for (const char *e = json_array_first(v, end); e; e = json_array_next(e, end), i++) {
            char isu[8];
            if (json_string(e, end, isu, sizeof isu) != 4 || strncmp(isu, "ISU", 3) ||
                isu[3] < '0' || isu[3] >= '0' + MANIFEST_UART_ISUS) return fail(MANIFEST_E_UART, i);
            m->uarts |= 1u << (isu[3] - '0');
        }
    }
    i = 0;
    if ((v = json_member(caps, end, "AllowedApplicationConnections"))) {
        for (const char *e = json_array_first(v, end); e; e = json_array_next(e, end), i++) {
            if (m->connections == MANIFEST_MAX_APP_CONNECTIONS)
                return fail(MANIFEST_E_TOO_MANY_CONNECTIONS);
            if (guid(e, end, m->allowed[m->connections]))
                return fail(MANIFEST_E_CONNECTION_NOT_GUID, i);
            m->connections++;
        }
    }
    if ((v = json_member(caps, end, "MutableStorage")) && (v = json_member(v, end, "SizeKB"))) {
        int32_t kb;
        if (json_int(v, end, &kb) < 0 || kb < 1 || kb > MANIFEST_MUTABLE_STORAGE_MAX_KB)
            return fail(MANIFEST_E_STORAGE);
        m->storage_kb = (uint32_t)kb;
    }
    if ((v = json_member(caps, end, "PowerControls"))) {
        static const char *const names[] = { "ForcePowerDown", "ForceReboot", "SetPowerProfile" };
        for (const char *e = json_array_first(v, end); e; e = json_array_next(e, end)) {
            char text[20];
            if (json_string(e, end, text, sizeof text) < 0) continue;
            for (uint32_t k = 0; k < 3; k++) if (!strcmp(text, names[k])) m->power |= 1u << k;
        }
    }
    v = json_member(caps, end, "SystemEventNotifications");
    m->sysevents = v && *v == 't';
    return ownership_parse(caps, end, m);
}

const char *manifest_parse(const char *json, size_t len, struct manifest *m)
{
    const char *end = json + len, *v, *err;
    memset(m, 0, sizeof *m);
    if (len >= 3 && (uint8_t)json[0] == 0xEF && (uint8_t)json[1] == 0xBB && (uint8_t)json[2] == 0xBF)
        json += 3;                                         /* a UTF-8 byte-order mark */
    if (!json_skip(json, end, 0)) return fail(MANIFEST_E_NOT_JSON);
    while (json < end && (*json == ' ' || *json == '\t' || *json == '\n' || *json == '\r')) json++;
    if (*json != '{') return fail(MANIFEST_E_NOT_OBJECT);
    if ((err = text(json, end, "Name", m->name, sizeof m->name))) return err;
    if (!(v = json_member(json, end, "ComponentId"))) return fail(MANIFEST_E_MISSING, "ComponentId");
    if (guid(v, end, m->component_id)) return fail(MANIFEST_E_NOT_GUID, "ComponentId");
    if ((err = text(json, end, "EntryPoint", m->entry_point, sizeof m->entry_point))) return err;
    char type[24];
    if (!(v = json_member(json, end, "ApplicationType")))
        return fail(MANIFEST_E_MISSING, "ApplicationType");
    if (json_string(v, end, type, sizeof type) < 0
        || (strcmp(type, "Default") && strcmp(type, "RealTimeCapable")))
        return fail(MANIFEST_E_APP_TYPE);
    m->realtime = strcmp(type, "RealTimeCapable") == 0;
    const char *caps = json_member(json, end, "Capabilities");
    return caps ? capabilities(caps, end, m) : 0;
}

int manifest_allows_connection(const struct manifest *m, const char *component_id)
{
    for (int i = 0; i < m->connections; i++)
        if (strcmp(m->allowed[i], component_id) == 0) return 1;
    return 0;
}
