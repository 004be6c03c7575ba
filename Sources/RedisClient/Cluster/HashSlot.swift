/// The cluster hash slot of a key, as the Redis Cluster specification defines it: CRC16 (XMODEM) of the key's hash
/// tag modulo 16384.
///
/// The hash tag is the part between the first `{` and the first `}` after it, when that part is not empty;
/// otherwise the whole key is hashed. Keys that share a hash tag share a slot, which is what lets a script or a
/// multi-key command touch several keys on a cluster.
package enum HashSlot {
    /// The number of slots of a cluster.
    package static let count = 16384

    /// The slot of `key`.
    package static func slot(of key: some Collection<UInt8>) -> Int {
        Int(crc16(hashTag(of: key)) & 0x3FFF)
    }

    /// The bytes that decide the slot: the hash tag when there is a non-empty one, else the whole key.
    static func hashTag<Key: Collection<UInt8>>(of key: Key) -> Key.SubSequence {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key[...] }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen else {
            return key[...]
        }
        return key[afterOpen..<close]
    }

    /// CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection), the checksum of the cluster
    /// specification; its check value for `123456789` is 0x31C3.
    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }

    /// A short hash tag for every slot: `tags[s]` is the first of `0`, `1`, … `zz…` (base 36) whose slot is `s`, so
    /// a key named `…{tags[s]}…` lives on slot `s`. The same table on every machine; built once, on first use.
    package static let tags: [String] = {
        var tags = [String?](repeating: nil, count: count)
        var found = 0
        var index = 0
        while found < count {
            let tag = String(index, radix: 36)
            let slot = Int(crc16(tag.utf8) & 0x3FFF)
            if tags[slot] == nil {
                tags[slot] = tag
                found += 1
            }
            index += 1
        }
        return tags.map { $0 ?? "" }
    }()
}
