/// A small, fast pseudo-random generator (SplitMix64, Steele, Lea and Flood 2014) for choices that must be spread
/// evenly but need no secrecy: which of equally ranked keys an eviction takes. The system generator would cost a
/// system call per number, and an eviction draws one per key of the table.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// A generator seeded from the system's random source.
    init() {
        state = UInt64.random(in: 0...UInt64.max)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
