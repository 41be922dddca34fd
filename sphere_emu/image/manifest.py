"""``app_manifest.json``: parsed and checked against the MT3620's resources (facts §3).

Every error names the field (``Capabilities.Uart[1]``) and says what is wrong with it. The
values allowed are those of the MT3620 hardware definition: GPIO pins 0–23, 26–48, 56–75
and 80; ISU0–ISU4; PWM-CONTROLLER-0..2; ADC-CONTROLLER-0; I2S0/I2S1.

The rules the OS kernel enforces again at start-up (manifest_rules.py) run first, in the
kernel's order and with its words; the packer's own, stricter checks come after them.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from . import manifest_rules as rules
from .errors import ManifestError

SCHEMA_VERSION = 1
DEFAULT = "Default"
REAL_TIME = "RealTimeCapable"
NAME_BYTES = 31  # how much of Name the Debug section keeps

GPIO_PINS = rules.GPIO_PINS
ISUS = rules.UART_ISUS
PWM_CONTROLLERS = tuple(f"PWM-CONTROLLER-{n}" for n in range(3))
ADC_CONTROLLERS = ("ADC-CONTROLLER-0",)
I2S_INTERFACES = ("I2S0", "I2S1")
POWER_CONTROLS = ("ForcePowerDown", "ForceReboot", "SetPowerProfile")
MUTABLE_STORAGE_MAX_KB = rules.MUTABLE_STORAGE_MAX_KB
# The GPIO pins an ISU owns: using ISUn as a serial interface takes them away from Gpio.
ISU_PINS = {"ISU0": range(26, 31), "ISU1": range(31, 36), "ISU2": range(36, 41),
            "ISU3": range(66, 71), "ISU4": range(71, 76)}

# Capabilities open to real-time apps; everything else is for high-level apps only.
RT_CAPABILITIES = frozenset({"Gpio", "Uart", "I2cMaster", "SpiMaster", "Pwm", "Adc",
                             "I2sSubordinate", "AllowedApplicationConnections"})
SERIAL_CAPABILITIES = ("Uart", "I2cMaster", "SpiMaster")
FLAG_CAPABILITIES = frozenset({
    "CertStore", "DhcpService", "SntpService", "NetworkConfig", "ReadNetworkProxyConfig",
    "WifiConfig", "EnterpriseWifiConfig", "TimeSyncConfig", "SystemTime",
    "SystemEventNotifications", "SoftwareUpdateDeferral", "HeapMemStats"})

TOP_LEVEL = ("SchemaVersion", "Name", "ComponentId", "EntryPoint", "CmdArgs", "Capabilities",
             "ApplicationType", "TargetApplicationRuntimeVersion", "TargetBetaApis",
             "MallocVersion")


@dataclass(frozen=True)
class AppManifest:
    name: str
    component_id: UUID
    entry_point: str  # path inside the ASXipFS, e.g. "/bin/app"
    application_type: str  # DEFAULT or REAL_TIME
    capabilities: dict[str, Any] = field(default_factory=dict)
    cmd_args: tuple[str, ...] = ()
    target_runtime_version: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def real_time(self) -> bool:
        return self.application_type == REAL_TIME

    @property
    def gpios(self) -> tuple[int, ...]:
        return tuple(self.capabilities.get("Gpio", ()))

    @property
    def allowed_connections(self) -> tuple[UUID, ...]:
        return tuple(UUID(c) for c in self.capabilities.get("AllowedApplicationConnections", ()))


def _fail(where: str, why: str) -> ManifestError:
    return ManifestError(f"app_manifest.json: {where}: {why}")


def parse_manifest(text: bytes | str) -> AppManifest:
    if isinstance(text, bytes):
        try:
            text = text.decode()
        except UnicodeDecodeError:
            raise ManifestError("app_manifest.json: not valid UTF-8 text") from None
    text = text.removeprefix("\ufeff")
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in items:
            if key in obj:
                duplicates.append(key)
            else:
                obj[key] = value  # the kernel reads the first of duplicate keys
        return obj

    try:
        doc = json.loads(text, object_pairs_hook=pairs)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ManifestError(f"{rules.message('NOT_JSON')} ({err})") from None
    check_kernel_rules(doc)
    if duplicates:
        raise _fail(duplicates[0], "listed twice in one JSON object")
    return validate_manifest(doc)


_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_INT32 = range(-2**31, 2**31)


def _kernel_fail(rule: str, *args: object) -> ManifestError:
    return ManifestError(rules.message(rule, *args))


def _too_deep(value: Any, depth: int = 0) -> bool:
    if depth > rules.JSON_MAX_DEPTH:
        return True
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) \
        else ()
    return any(_too_deep(child, depth + 1) for child in children)


def _kernel_text(doc: dict[str, Any], key: str, limit: int) -> None:
    if key not in doc:
        raise _kernel_fail("MISSING", key)
    value = doc[key]
    if not isinstance(value, str) or not value or "\0" in value:
        raise _kernel_fail("NOT_TEXT", key)
    try:
        size = len(value.encode())
    except UnicodeEncodeError:  # a lone surrogate written as an escape
        raise _kernel_fail("NOT_TEXT", key) from None
    if size > limit:
        raise _kernel_fail("TOO_LONG", key, limit)


def _is_guid(value: Any) -> bool:
    return isinstance(value, str) and _GUID.fullmatch(value) is not None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in _INT32


def check_kernel_rules(doc: Any) -> None:
    """The kernel's checks (firmware/a7/kernel/manifest.c), in its order, with its words."""
    if _too_deep(doc):
        raise _kernel_fail("NOT_JSON")
    if not isinstance(doc, dict):
        raise _kernel_fail("NOT_OBJECT")
    _kernel_text(doc, "Name", rules.NAME_MAX_BYTES)
    if "ComponentId" not in doc:
        raise _kernel_fail("MISSING", "ComponentId")
    if not _is_guid(doc["ComponentId"]):
        raise _kernel_fail("NOT_GUID", "ComponentId")
    _kernel_text(doc, "EntryPoint", rules.ENTRY_POINT_MAX_BYTES)
    if "ApplicationType" not in doc:
        raise _kernel_fail("MISSING", "ApplicationType")
    if doc["ApplicationType"] not in rules.APPLICATION_TYPES:
        raise _kernel_fail("APP_TYPE")
    caps = doc.get("Capabilities")
    if not isinstance(caps, dict):
        return
    for i, pin in enumerate(_as_list(caps.get("Gpio"))):
        if not _is_int(pin):
            raise _kernel_fail("GPIO_NOT_PIN", i)
        if pin not in rules.GPIO_PINS:
            raise _kernel_fail("GPIO_NO_PIN", i, pin)
    for i, isu in enumerate(_as_list(caps.get("Uart"))):
        if isu not in rules.UART_ISUS:
            raise _kernel_fail("UART", i)
    for i, partner in enumerate(_as_list(caps.get("AllowedApplicationConnections"))):
        if i == rules.MAX_APP_CONNECTIONS:
            raise _kernel_fail("TOO_MANY_CONNECTIONS")
        if not _is_guid(partner):
            raise _kernel_fail("CONNECTION_NOT_GUID", i)
    storage = caps.get("MutableStorage")
    if isinstance(storage, dict) and "SizeKB" in storage:
        kb = storage["SizeKB"]
        if not _is_int(kb) or not 1 <= kb <= rules.MUTABLE_STORAGE_MAX_KB:
            raise _kernel_fail("STORAGE")


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def validate_manifest(doc: Any) -> AppManifest:
    check_kernel_rules(doc)
    for key in doc:
        if key not in TOP_LEVEL:
            raise _fail(key, f"unknown field (known: {', '.join(TOP_LEVEL)})")
    for key in ("SchemaVersion", "Name", "ComponentId", "EntryPoint", "ApplicationType"):
        if key not in doc:
            raise _fail(key, "required field is missing")
    if doc["SchemaVersion"] != SCHEMA_VERSION or isinstance(doc["SchemaVersion"], bool):
        raise _fail("SchemaVersion", f"must be {SCHEMA_VERSION}, not {doc['SchemaVersion']!r}")
    name = _string(doc["Name"], "Name")
    component_id = _guid(doc["ComponentId"], "ComponentId")
    entry = _string(doc["EntryPoint"], "EntryPoint")
    parts = entry.split("/")
    if not entry.startswith("/") or any(p in ("", ".", "..") for p in parts[1:]):
        raise _fail("EntryPoint", f"{entry!r} must be an absolute path to a file, "
                                  f"e.g. \"/bin/app\"")
    app_type = doc["ApplicationType"]
    cmd_args = doc.get("CmdArgs", [])
    if not isinstance(cmd_args, list) or not all(isinstance(a, str) for a in cmd_args):
        raise _fail("CmdArgs", "must be a list of strings")
    runtime = doc.get("TargetApplicationRuntimeVersion")
    if runtime is not None:
        if app_type == REAL_TIME:
            raise _fail("TargetApplicationRuntimeVersion", "only for Default (high-level) apps")
        _integer(runtime, "TargetApplicationRuntimeVersion", 0, 0xFFFFFFFF)
    if "TargetBetaApis" in doc:
        _string(doc["TargetBetaApis"], "TargetBetaApis")
    if "MallocVersion" in doc:
        _integer(doc["MallocVersion"], "MallocVersion", 1, 2)
    caps = doc.get("Capabilities", {})
    if not isinstance(caps, dict):
        raise _fail("Capabilities", "must be a JSON object")
    _check_capabilities(caps, app_type, component_id)
    return AppManifest(name, component_id, entry, app_type, dict(caps), tuple(cmd_args),
                       runtime, doc)




def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "must be a non-empty string")
    return value


def _integer(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"{value!r} is not an integer")
    if not low <= value <= high:
        raise _fail(where, f"{value} is outside {low}..{high}")
    return value


def _guid(value: Any, where: str) -> UUID:
    try:
        if not isinstance(value, str) or len(value) != 36:
            raise ValueError
        return UUID(value)
    except ValueError:
        raise _fail(where, f"{value!r} is not a GUID like "
                           f"\"005180bc-402f-4cb3-a662-72937dbcde47\"") from None


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise _fail(where, "must be a list")
    return value


def _choices(value: Any, where: str, allowed: tuple[str, ...]) -> list[str]:
    items = _list(value, where)
    for i, item in enumerate(items):
        if item not in allowed:
            raise _fail(f"{where}[{i}]", f"{item!r} is not one of {', '.join(allowed)}")
    _unique(items, where)
    return items


def _unique(items: list, where: str) -> None:
    seen = set()
    for i, item in enumerate(items):
        key = json.dumps(item, sort_keys=True)
        if key in seen:
            raise _fail(f"{where}[{i}]", f"{item!r} is listed twice")
        seen.add(key)


def _check_capabilities(caps: dict[str, Any], app_type: str, component_id: UUID) -> None:
    serial: dict[str, str] = {}
    for key, value in caps.items():
        where = f"Capabilities.{key}"
        known = key in FLAG_CAPABILITIES or key in _CHECKS
        if app_type == REAL_TIME and known and key not in RT_CAPABILITIES:
            raise _fail(where, "not available to RealTimeCapable apps")
        check = _CHECKS.get(key)
        if check is not None:
            check(value, where)
        elif key in FLAG_CAPABILITIES:
            if not isinstance(value, bool):
                raise _fail(where, "must be true or false")
        else:
            raise _fail(where, "unknown capability")
        if key in SERIAL_CAPABILITIES:
            for isu in value:
                if isu in serial:
                    raise _fail(where, f"{isu} is already used as {serial[isu]}")
                serial[isu] = key
    for i, pin in enumerate(caps.get("Gpio", [])):
        for isu, pins in ISU_PINS.items():
            if pin in pins and isu in serial:
                raise _fail(f"Capabilities.Gpio[{i}]", f"GPIO {pin} belongs to {isu}, which is "
                                                       f"used as {serial[isu]}")
    partners = caps.get("AllowedApplicationConnections", [])
    if any(UUID(p) == component_id for p in partners):
        raise _fail("Capabilities.AllowedApplicationConnections", "lists the app itself")


def _gpio(value: Any, where: str) -> None:
    pins = _list(value, where)
    for i, pin in enumerate(pins):
        if isinstance(pin, str):
            raise _fail(f"{where}[{i}]", f"{pin!r}: hardware-definition names are resolved at "
                                         f"build time; give the pin number")
        _integer(pin, f"{where}[{i}]", 0, 255)
        if pin not in GPIO_PINS:
            raise _fail(f"{where}[{i}]", f"GPIO {pin} does not exist on the MT3620 "
                                         f"(0-23, 26-48, 56-75, 80)")
    _unique(pins, where)


def _guids(value: Any, where: str) -> None:
    items = _list(value, where)
    for i, item in enumerate(items):
        _guid(item, f"{where}[{i}]")
    _unique([str(UUID(i)) for i in items], where)


def _ports(value: Any, where: str) -> None:
    items = _list(value, where)
    for i, port in enumerate(items):
        _integer(port, f"{where}[{i}]", 1, 65535)
    _unique(items, where)


def _hosts(value: Any, where: str) -> None:
    items = _list(value, where)
    for i, host in enumerate(items):
        _string(host, f"{where}[{i}]")
    _unique(items, where)


def _mutable_storage(value: Any, where: str) -> None:
    if not isinstance(value, dict) or set(value) != {"SizeKB"}:
        raise _fail(where, 'must be {"SizeKB": n}')
    _integer(value["SizeKB"], f"{where}.SizeKB", 1, MUTABLE_STORAGE_MAX_KB)


def _tenant(value: Any, where: str) -> None:
    _guid(value, where)


_CHECKS = {
    "Gpio": _gpio,
    "Uart": lambda v, w: _choices(v, w, ISUS),
    "I2cMaster": lambda v, w: _choices(v, w, ISUS),
    "SpiMaster": lambda v, w: _choices(v, w, ISUS),
    "Pwm": lambda v, w: _choices(v, w, PWM_CONTROLLERS),
    "Adc": lambda v, w: _choices(v, w, ADC_CONTROLLERS),
    "I2sSubordinate": lambda v, w: _choices(v, w, I2S_INTERFACES),
    "PowerControls": lambda v, w: _choices(v, w, POWER_CONTROLS),
    "AllowedApplicationConnections": _guids,
    "AllowedConnections": _hosts,
    "AllowedTcpServerPorts": _ports,
    "AllowedUdpServerPorts": _ports,
    "MutableStorage": _mutable_storage,
    "DeviceAuthentication": _tenant,
}
