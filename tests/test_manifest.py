"""app_manifest.json validation: good manifests pass, bad ones name the field and why."""

import copy
import json

import pytest

from sphere_emu.image.errors import ManifestError
from sphere_emu.image.manifest import parse_manifest, validate_manifest

HIGH_LEVEL = {
    "SchemaVersion": 1,
    "Name": "IntercoreComms_HighLevelApp",
    "ComponentId": "25025d2c-66da-4448-bae1-ac26fcdd3627",
    "EntryPoint": "/bin/app",
    "CmdArgs": ["--verbose"],
    "Capabilities": {
        "Gpio": [8, 9, 80],
        "Uart": ["ISU0"],
        "I2cMaster": ["ISU1"],
        "SpiMaster": ["ISU2"],
        "Pwm": ["PWM-CONTROLLER-0"],
        "Adc": ["ADC-CONTROLLER-0"],
        "AllowedApplicationConnections": ["005180bc-402f-4cb3-a662-72937dbcde47"],
        "AllowedConnections": ["example.com"],
        "AllowedTcpServerPorts": [1024],
        "MutableStorage": {"SizeKB": 8},
        "PowerControls": ["ForceReboot"],
        "NetworkConfig": True,
    },
    "ApplicationType": "Default",
    "TargetApplicationRuntimeVersion": 5,
    "MallocVersion": 2,
}

REAL_TIME = {
    "SchemaVersion": 1,
    "Name": "HelloWorld_RTApp_MT3620_BareMetal",
    "ComponentId": "005180bc-402f-4cb3-a662-72937dbcde47",
    "EntryPoint": "/bin/app",
    "CmdArgs": [],
    "Capabilities": {"Gpio": [8, 12], "Uart": ["ISU0"]},
    "ApplicationType": "RealTimeCapable",
}


def test_sample_manifests_are_accepted():
    hl = parse_manifest(json.dumps(HIGH_LEVEL))
    assert not hl.real_time and hl.target_runtime_version == 5 and hl.gpios == (8, 9, 80)
    assert str(hl.allowed_connections[0]) == "005180bc-402f-4cb3-a662-72937dbcde47"
    rt = validate_manifest(REAL_TIME)
    assert rt.real_time and rt.entry_point == "/bin/app"


def _with(base, path, value):
    doc = copy.deepcopy(base)
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return doc


@pytest.mark.parametrize(("base", "path", "value", "message"), [
    (HIGH_LEVEL, ["SchemaVersion"], 2, "SchemaVersion: must be 1"),
    (HIGH_LEVEL, ["Name"], KeyError, "Name: required field is missing"),
    (HIGH_LEVEL, ["ComponentId"], "not-a-guid", "ComponentId: is not a GUID like"),
    (HIGH_LEVEL, ["EntryPoint"], "bin/app", "EntryPoint: 'bin/app' must be an absolute path"),
    (HIGH_LEVEL, ["EntryPoint"], "/bin/../x", "EntryPoint"),
    (HIGH_LEVEL, ["ApplicationType"], "Service", "ApplicationType: must be \"Default\" or"),
    (HIGH_LEVEL, ["Colour"], "blue", "Colour: unknown field"),
    (HIGH_LEVEL, ["Capabilities", "Gpio", 1], 24, r"Capabilities.Gpio\[1\]: GPIO 24 does not "
                                                  "exist on the MT3620"),
    (HIGH_LEVEL, ["Capabilities", "Gpio", 0], "$LED", r"Capabilities.Gpio\[0\]: must be a pin "
                                                      r"number \(hardware-definition names"),
    (HIGH_LEVEL, ["Capabilities", "Gpio", 0], True, r"Gpio\[0\]: must be a pin number"),
    (HIGH_LEVEL, ["Capabilities", "Uart", 0], "ISU5", r"Capabilities.Uart\[0\]: must be one "
                                                      "of ISU0"),
    (HIGH_LEVEL, ["Capabilities", "I2cMaster", 0], "ISU0", "Capabilities.I2cMaster: ISU0 is "
                                                           "already used as Uart"),
    (HIGH_LEVEL, ["Capabilities", "Gpio", 0], 27, r"Gpio\[0\]: GPIO 27 belongs to ISU0"),
    (HIGH_LEVEL, ["Capabilities", "Pwm", 0], "PWM-CONTROLLER-3", r"Pwm\[0\]"),
    (HIGH_LEVEL, ["Capabilities", "Adc", 0], "ADC-CONTROLLER-1", r"Adc\[0\]"),
    (HIGH_LEVEL, ["Capabilities", "MutableStorage", "SizeKB"], 65,
     "MutableStorage.SizeKB: must be an integer 1..64"),
    (HIGH_LEVEL, ["Capabilities", "AllowedTcpServerPorts", 0], 0,
     r"AllowedTcpServerPorts\[0\]: 0 is outside"),
    (HIGH_LEVEL, ["Capabilities", "AllowedApplicationConnections", 0],
     "25025d2c-66da-4448-bae1-ac26fcdd3627",
     "AllowedApplicationConnections: lists the app itself"),
    (HIGH_LEVEL, ["Capabilities", "Teleport"], True, "Capabilities.Teleport: unknown capability"),
    (HIGH_LEVEL, ["Capabilities", "NetworkConfig"], "yes", "NetworkConfig: must be true or false"),
    (HIGH_LEVEL, ["Capabilities", "Uart"], ["ISU0", "ISU0"], r"Uart\[1\]: 'ISU0' is listed twice"),
    (REAL_TIME, ["Capabilities", "AllowedConnections"], ["x.com"],
     "AllowedConnections: not available to RealTimeCapable apps"),
    (REAL_TIME, ["TargetApplicationRuntimeVersion"], 5,
     "TargetApplicationRuntimeVersion: only for Default"),
])
def test_bad_manifests_name_the_field_and_the_reason(base, path, value, message):
    with pytest.raises(ManifestError, match=f"^app_manifest.json: (Capabilities\\.)?{message}"):
        validate_manifest(_with(base, path, value))


def test_not_json_is_refused_clearly():
    with pytest.raises(ManifestError, match="not valid JSON"):
        parse_manifest(b"{nope")
    with pytest.raises(ManifestError, match="must be a JSON object"):
        parse_manifest(b"[1, 2]")
