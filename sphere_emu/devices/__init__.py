"""Off-chip parts on the board: devices on pins and buses (sensors, memories, analog inputs)."""
