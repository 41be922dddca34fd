/* The manifest fields the kernel needs: identity, entry point, type, and the capabilities
   it enforces on system calls (Gpio, Uart, AllowedApplicationConnections, MutableStorage).
   The packer validated the manifest already; this still refuses what it cannot read. */
#include "json.h"
#include "kernel.h"
#include "string.h"

static void lower(char *s)
{
    for (; *s; s++) if (*s >= 'A' && *s <= 'F') *s = (char)(*s - 'A' + 'a');
}

const char *manifest_parse(const char *json, size_t len, struct manifest *m)
{
    const char *end = json + len, *v;
    memset(m, 0, sizeof *m);
    if (!json_skip(json, end, 0)) return "app_manifest.json is not valid JSON";
    if (!(v = json_member(json, end, "Name")) || json_string(v, end, m->name, sizeof m->name) < 0)
        return "manifest Name is missing or too long";
    if (!(v = json_member(json, end, "ComponentId")) ||
        json_string(v, end, m->component_id, sizeof m->component_id) != 36)
        return "manifest ComponentId is missing or not a GUID";
    lower(m->component_id);
    if (!(v = json_member(json, end, "EntryPoint")) ||
        json_string(v, end, m->entry_point, sizeof m->entry_point) < 2)
        return "manifest EntryPoint is missing or too long";
    char type[24];
    if (!(v = json_member(json, end, "ApplicationType")) || json_string(v, end, type, sizeof type) < 0)
        return "manifest ApplicationType is missing";
    m->realtime = strcmp(type, "RealTimeCapable") == 0;
    const char *caps = json_member(json, end, "Capabilities");
    if (!caps) return 0;
    if ((v = json_member(caps, end, "Gpio"))) {
        for (const char *e = json_array_first(v, end); e; e = json_array_next(e, end)) {
            int32_t pin;
            if (json_int(e, end, &pin) < 0 || pin < 0 || pin > 95) return "bad Capabilities.Gpio";
            m->gpio[pin / 32] |= 1u << (pin % 32);
        }
    }
    if ((v = json_member(caps, end, "Uart"))) {
        for (const char *e = json_array_first(v, end); e; e = json_array_next(e, end)) {
            char isu[8];
            if (json_string(e, end, isu, sizeof isu) != 4 || strncmp(isu, "ISU", 3) ||
                isu[3] < '0' || isu[3] > '4') return "bad Capabilities.Uart";
            m->uarts |= 1u << (isu[3] - '0');
        }
    }
    if ((v = json_member(caps, end, "AllowedApplicationConnections"))) {
        for (const char *e = json_array_first(v, end); e; e = json_array_next(e, end)) {
            if (m->connections == MAX_CONNECTIONS) return "too many AllowedApplicationConnections";
            char *id = m->allowed[m->connections++];
            if (json_string(e, end, id, 40) != 36) return "bad AllowedApplicationConnections";
            lower(id);
        }
    }
    if ((v = json_member(caps, end, "MutableStorage")) && (v = json_member(v, end, "SizeKB"))) {
        int32_t kb;
        if (json_int(v, end, &kb) < 0 || kb < 1 || kb > 64) return "bad MutableStorage.SizeKB";
        m->storage_kb = (uint32_t)kb;
    }
    return 0;
}

int manifest_allows_connection(const struct manifest *m, const char *component_id)
{
    for (int i = 0; i < m->connections; i++)
        if (strcmp(m->allowed[i], component_id) == 0) return 1;
    return 0;
}
