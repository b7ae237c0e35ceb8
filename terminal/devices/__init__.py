"""Device SDK (no Qt): lifecycle, events, transports, drivers, simulators.

Public surface for the terminal:
    devices.events   -- EventBus and the UnifiedPOS-style events
    devices.base     -- Device lifecycle, DeviceStateError, HealthReport
    devices.printer  -- ReceiptPrinter (ESC/POS) with confirmed printing
    devices.drawer   -- CashDrawer kicked through the printer, once per action id
    devices.print_queue -- PrintQueue: durable, exactly-once printing
"""
