/**
 * The embedded default UPS: an APC Back-UPS BX1600MI as NUT 2.8.0's usbhid-ups would publish it,
 * in dummy-ups `.dev` form. Built from the BK650M2-CH dump (same APC HID firmware generation and
 * report layout, test/fixtures/nut-ddl/APC__Back-UPS_BK650M2-CH…dev) with the BX1600MI's own facts:
 * model string and firmware from its iProduct ("Back-UPS BX1600MI FW:294201G -302201G",
 * test/fixtures/hid/apc-back-ups-bx1600mi.report-fragments.txt), 900 W rating, 24 V battery,
 * 230 V input. The serial number is made up.
 */
export const BX1600MI_DEV = `# APC Back-UPS BX1600MI (simulated; nutctl's embedded default)
battery.charge: 100
battery.charge.low: 10
battery.mfr.date: 2001/01/01
battery.runtime: 2280
battery.runtime.low: 120
battery.type: PbAc
battery.voltage: 27.3
battery.voltage.nominal: 24.0
device.mfr: American Power Conversion
device.model: Back-UPS BX1600MI
device.serial: 9B2206A00000
device.type: ups
input.sensitivity: medium
input.transfer.high: 295
input.transfer.low: 145
input.voltage: 234.0
input.voltage.nominal: 230
ups.beeper.status: enabled
ups.delay.shutdown: 20
ups.firmware: 294201G -302201G
ups.load: 14
ups.mfr: American Power Conversion
ups.mfr.date: 2022/02/09
ups.model: Back-UPS BX1600MI
ups.productid: 0002
ups.realpower.nominal: 900
ups.serial: 9B2206A00000
ups.status: OL
ups.test.result: No test initiated
ups.timer.reboot: 0
ups.timer.shutdown: -1
ups.vendorid: 051d
`

/** File name the demo reports as `driver.parameter.port`. */
export const BX1600MI_PORT = "bx1600mi.dev"
