"""An analog input on an ADC channel: a voltage the user sets (board file, ``--drive``,
pytest), e.g. a potentiometer, the Avnet kit's ambient-light sensor output or a Click
board's AN pin. The ADC block samples ``voltage`` when it converts."""

from .sensor import SensorValues

ADC_FULL_SCALE_V = 2.5


class AnalogInput:
    STATE = ("values",)
    def __init__(self, name: str, channel: int, voltage: float = 0.0) -> None:
        self.name = name
        self.channel = channel
        self.values = SensorValues(name, {"voltage": (0.0,)})
        self.values.set("voltage", voltage)

    def set(self, quantity: str, value: str | tuple[float, ...] | float) -> None:
        self.values.set(quantity, value)

    @property
    def voltage(self) -> float:
        return self.values.get("voltage")[0]

    def code(self, bits: int = 12, full_scale_v: float = ADC_FULL_SCALE_V) -> int:
        """The conversion result: voltage * 2^bits / full scale, clamped to the top code."""
        top = (1 << bits) - 1
        return min(top, int(self.voltage * (1 << bits) / full_scale_v))
