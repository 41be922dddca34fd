"""STMicroelectronics inertial and pressure sensors on I2C: the LSM6DSO (with its sensor-hub
master and an LPS22HH behind it, as on the Avnet MT3620 Starter Kit), the LSM6DS3 and the
LPS22HH. Register addresses, reset values and sensitivities are ST's datasheet values as
ST's reference drivers (lsm6dso_reg.h, lsm6ds3_reg.h, lps22hh_reg.h) use them.

What is modelled: WHO_AM_I, the control registers a driver writes (stored; full scale and
output data rate honoured), data-ready status at the programmed data rate in virtual time,
output registers from the values the user sets, register auto-increment, software reset,
and the LSM6DSO sensor hub (up to four slaves read each accelerometer cycle, slave 0
write-once). Not modelled: FIFOs, interrupts pins, embedded functions (pedometer, tilt,
tap), self-test, filters, power modes.
"""

from collections.abc import Callable

from .i2c import I2cBus, RegisterFileDevice
from .sensor import DataReady, SensorValues, to_int16

# Output data rates by ODR code (CTRL1_XL / CTRL2_G bits 7:4), Hz.
IMU_ODR_HZ = (0, 12.5, 26, 52, 104, 208, 416, 833, 1666, 3332, 6664, 1.6, 0, 0, 0, 0)
ACCEL_FS_G = {0: (2, 0.061e-3), 1: (16, 0.488e-3), 2: (4, 0.122e-3), 3: (8, 0.244e-3)}
GYRO_FS_DPS = {0: (250, 8.75e-3), 1: (500, 17.5e-3), 2: (1000, 35e-3), 3: (2000, 70e-3)}

FUNC_CFG_ACCESS, WHO_AM_I, CTRL1_XL, CTRL2_G, CTRL3_C = 0x01, 0x0F, 0x10, 0x11, 0x12
STATUS_REG, OUT_TEMP_L, OUTX_L_G, OUTX_L_A = 0x1E, 0x20, 0x22, 0x28
STATUS_MASTER_MAINPAGE = 0x39
XLDA, GDA, TDA = 0x01, 0x02, 0x04
SW_RESET, IF_INC, BOOT = 0x01, 0x04, 0x80
SHUB_REG_ACCESS = 0x40
# Sensor-hub bank (FUNC_CFG_ACCESS.SHUB_REG_ACCESS = 1)
SENSOR_HUB_1, MASTER_CONFIG, SLV0_ADD, DATAWRITE_SLV0, STATUS_MASTER = 0x02, 0x14, 0x15, 0x21, 0x22
MASTER_ON, RST_MASTER_REGS = 0x04, 0x80
SENS_HUB_ENDOP, WR_ONCE_DONE = 0x01, 0x80


class Lsm6dsx(RegisterFileDevice):
    """The register file and data path the LSM6DS3 and LSM6DSO share."""
    STATE = (*RegisterFileDevice.STATE, "values", "xl", "gy")

    WHO_AM_I_VALUE = 0
    TEMP_LSB_PER_C = 256.0

    def __init__(self, name: str, address: int = 0x6A,
                 now_ns: Callable[[], int] = lambda: 0) -> None:
        super().__init__(name, address, size=0x80)
        self.values = SensorValues(name, {"accel": (0.0, 0.0, 1.0), "gyro": (0.0, 0.0, 0.0),
                                          "temperature": (25.0,)})
        self.xl = DataReady(now_ns)
        self.gy = DataReady(now_ns)
        self._reset_registers()

    def _reset_registers(self) -> None:
        self.mem[:] = bytes(self.size)
        self.mem[WHO_AM_I] = self.WHO_AM_I_VALUE
        self.mem[CTRL3_C] = IF_INC
        self.xl.configure(0)
        self.gy.configure(0)

    def set(self, quantity: str, value: str | tuple[float, ...] | float) -> None:
        self.values.set(quantity, value)

    def auto_increment(self) -> bool:
        return bool(self.mem[CTRL3_C] & IF_INC)

    # -- the data path -----------------------------------------------------------------
    def _sample_bytes(self, reg: int) -> int:
        if OUTX_L_A <= reg < OUTX_L_A + 6:
            _, lsb = ACCEL_FS_G[(self.mem[CTRL1_XL] >> 2) & 3]
            raw = to_int16(self.values.get("accel")[(reg - OUTX_L_A) // 2], lsb)
            if reg == OUTX_L_A:
                self.xl.consume()
        elif OUTX_L_G <= reg < OUTX_L_G + 6:
            ctrl = self.mem[CTRL2_G]
            _, lsb = (125, 4.375e-3) if ctrl & 0x02 else GYRO_FS_DPS[(ctrl >> 2) & 3]
            raw = to_int16(self.values.get("gyro")[(reg - OUTX_L_G) // 2], lsb)
            if reg == OUTX_L_G:
                self.gy.consume()
        else:
            celsius = self.values.get("temperature")[0]
            raw = to_int16(celsius - 25.0, 1.0 / self.TEMP_LSB_PER_C)
        return raw >> 8 if reg & 1 else raw & 0xFF

    def reg_read(self, reg: int) -> int:
        if reg == STATUS_REG:
            temp = self.xl.ready or self.gy.ready
            return (XLDA if self.xl.ready else 0) | (GDA if self.gy.ready else 0) | \
                (TDA if temp else 0)
        if OUT_TEMP_L <= reg < OUTX_L_A + 6:
            return self._sample_bytes(reg)
        return self.mem[reg]

    def reg_write(self, reg: int, value: int) -> None:
        if reg in (WHO_AM_I, STATUS_REG) or OUT_TEMP_L <= reg < OUTX_L_A + 6:
            return  # read-only
        if reg == CTRL3_C and value & (SW_RESET | BOOT):
            self._reset_registers()  # completes at once: the reset bit reads back 0
            return
        self.mem[reg] = value
        if reg == CTRL1_XL:
            self.xl.configure(IMU_ODR_HZ[value >> 4])
        elif reg == CTRL2_G:
            self.gy.configure(IMU_ODR_HZ[value >> 4])


class Lsm6ds3(Lsm6dsx):
    WHO_AM_I_VALUE = 0x69
    TEMP_LSB_PER_C = 16.0


class Lsm6dso(Lsm6dsx):
    """The LSM6DSO, with its sensor hub: an I2C master of its own (``hub``, a bus the board
    puts the LPS22HH on) that runs once per accelerometer sample while MASTER_ON."""
    STATE = (*Lsm6dsx.STATE, "shub", "_hub_cycle")

    WHO_AM_I_VALUE = 0x6C

    def __init__(self, name: str, address: int = 0x6A,
                 now_ns: Callable[[], int] = lambda: 0) -> None:
        self.hub = I2cBus(f"{name} sensor hub")
        self.shub = bytearray(0x40)
        self._hub_cycle = 0  # accelerometer sample index of the last hub cycle
        super().__init__(name, address, now_ns)

    def _reset_registers(self) -> None:
        super()._reset_registers()
        self.shub[:] = bytes(len(self.shub))

    def _hub_bank(self) -> bool:
        return bool(self.mem[FUNC_CFG_ACCESS] & SHUB_REG_ACCESS)

    def _run_hub(self) -> None:
        """Catch up with the sensor hub: one cycle per accelerometer sample, of which only
        the last is observable (each cycle overwrites the outputs)."""
        if not self.shub[MASTER_CONFIG] & MASTER_ON or self.xl.hz <= 0:
            return
        index = self.xl.index()
        if index <= self._hub_cycle:
            return
        self._hub_cycle = index
        status = SENS_HUB_ENDOP
        out = SENSOR_HUB_1
        for slave in range((self.shub[MASTER_CONFIG] & 3) + 1):
            base = SLV0_ADD + 3 * slave
            address, subaddr = self.shub[base] >> 1, self.shub[base + 1]
            count = self.shub[base + 2] & 7
            nack = 0x08 << slave
            if self.shub[base] & 1:  # read
                if count == 0:
                    continue
                if self.hub.start(address, read=False) and self.hub.write(bytes([subaddr])) \
                        and self.hub.start(address, read=True):
                    kept = max(0, min(count, MASTER_CONFIG - out))  # 18 output bytes
                    self.shub[out:out + kept] = self.hub.read(count)[:kept]
                else:
                    status |= nack
                self.hub.stop()
                out += count
            elif slave == 0:
                ok = self.hub.start(address, read=False) and \
                    self.hub.write(bytes([subaddr, self.shub[DATAWRITE_SLV0]])) == 2
                self.hub.stop()
                status |= WR_ONCE_DONE if ok else nack
        self.shub[STATUS_MASTER] = status

    def reg_read(self, reg: int) -> int:
        if reg == STATUS_MASTER_MAINPAGE:
            self._run_hub()
            return self.shub[STATUS_MASTER]
        if reg != FUNC_CFG_ACCESS and self._hub_bank() and reg < len(self.shub):
            self._run_hub()
            return self.shub[reg]
        return super().reg_read(reg)

    def reg_write(self, reg: int, value: int) -> None:
        if reg != FUNC_CFG_ACCESS and self._hub_bank() and reg < len(self.shub):
            if reg == MASTER_CONFIG:
                if value & RST_MASTER_REGS:
                    self.shub[:] = bytes(len(self.shub))
                    value &= ~RST_MASTER_REGS
                if value & MASTER_ON and not self.shub[MASTER_CONFIG] & MASTER_ON:
                    self._hub_cycle = self.xl.index()  # the next sample starts a cycle
                    self.shub[STATUS_MASTER] = 0
            if SENSOR_HUB_1 <= reg < MASTER_CONFIG or reg == STATUS_MASTER:
                return  # read-only outputs and status
            self.shub[reg] = value
            return
        super().reg_write(reg, value)


# -- LPS22HH -------------------------------------------------------------------------------
LPS_ODR_HZ = (0, 1, 10, 25, 50, 75, 100, 200)
LPS_WHO_AM_I, LPS_CTRL_REG1, LPS_CTRL_REG2, LPS_STATUS = 0x0F, 0x10, 0x11, 0x27
LPS_PRESS_OUT_XL, LPS_TEMP_OUT_L = 0x28, 0x2B
ONE_SHOT, LPS_SWRESET, IF_ADD_INC, LPS_BOOT = 0x01, 0x04, 0x10, 0x80
P_DA, T_DA = 0x01, 0x02


class Lps22hh(RegisterFileDevice):
    """The LPS22HH barometer: pressure 4096 LSB/hPa (24 bits), temperature 100 LSB/°C."""
    STATE = (*RegisterFileDevice.STATE, "values", "press", "temp")

    def __init__(self, name: str, address: int = 0x5C,
                 now_ns: Callable[[], int] = lambda: 0) -> None:
        super().__init__(name, address, size=0x80)
        self.values = SensorValues(name, {"pressure": (1013.25,), "temperature": (25.0,)})
        self.press = DataReady(now_ns)
        self.temp = DataReady(now_ns)
        self._reset_registers()

    def _reset_registers(self) -> None:
        self.mem[:] = bytes(self.size)
        self.mem[LPS_WHO_AM_I] = 0xB3
        self.mem[LPS_CTRL_REG2] = IF_ADD_INC
        self.press.configure(0)
        self.temp.configure(0)

    def set(self, quantity: str, value: str | tuple[float, ...] | float) -> None:
        self.values.set(quantity, value)

    def auto_increment(self) -> bool:
        return bool(self.mem[LPS_CTRL_REG2] & IF_ADD_INC)

    def reg_read(self, reg: int) -> int:
        if reg == LPS_STATUS:
            return (P_DA if self.press.ready else 0) | (T_DA if self.temp.ready else 0)
        if LPS_PRESS_OUT_XL <= reg < LPS_PRESS_OUT_XL + 3:
            raw = round(self.values.get("pressure")[0] * 4096) & 0xFFFFFF
            if reg == LPS_PRESS_OUT_XL + 2:
                self.press.consume()
            return (raw >> (8 * (reg - LPS_PRESS_OUT_XL))) & 0xFF
        if LPS_TEMP_OUT_L <= reg < LPS_TEMP_OUT_L + 2:
            raw = to_int16(self.values.get("temperature")[0], 0.01)
            if reg == LPS_TEMP_OUT_L + 1:
                self.temp.consume()
            return raw >> 8 if reg == LPS_TEMP_OUT_L + 1 else raw & 0xFF
        return self.mem[reg]

    def reg_write(self, reg: int, value: int) -> None:
        if reg in (LPS_WHO_AM_I, LPS_STATUS) or LPS_PRESS_OUT_XL <= reg < LPS_TEMP_OUT_L + 2:
            return
        if reg == LPS_CTRL_REG2 and value & (LPS_SWRESET | LPS_BOOT):
            self._reset_registers()
            return
        if reg == LPS_CTRL_REG2 and value & ONE_SHOT:
            self.press.trigger_one_shot()
            self.temp.trigger_one_shot()
            value &= ~ONE_SHOT
        self.mem[reg] = value
        if reg == LPS_CTRL_REG1:
            hz = LPS_ODR_HZ[(value >> 4) & 7]
            self.press.configure(hz)
            self.temp.configure(hz)
