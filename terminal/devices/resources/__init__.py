"""Package data of the device SDK: devices.toml, the profile of the simulated devices."""
