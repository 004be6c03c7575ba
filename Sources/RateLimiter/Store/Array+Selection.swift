extension Array {
    /// Reorders the array so that its first `count` elements are `count` smallest ones by `areInIncreasingOrder`,
    /// in no particular order: a quickselect with pivots drawn from `generator` and three-way partitions (many equal
    /// elements are the common case), O(`self.count`) expected time, no allocation. Which of several equal elements
    /// end up first depends on their order before.
    mutating func partitionSmallest(
        _ count: Int,
        using generator: inout some RandomNumberGenerator,
        by areInIncreasingOrder: (Element, Element) -> Bool
    ) {
        guard count > 0, count < self.count else { return }
        var low = 0
        var high = self.count - 1
        while low < high {
            let pivot = self[Int.random(in: low...high, using: &generator)]
            // After the pass: [low, less) before the pivot, [less, greater] equal to it, (greater, high] after it.
            var less = low
            var index = low
            var greater = high
            while index <= greater {
                if areInIncreasingOrder(self[index], pivot) {
                    swapAt(less, index)
                    less += 1
                    index += 1
                } else if areInIncreasingOrder(pivot, self[index]) {
                    swapAt(index, greater)
                    greater -= 1
                } else {
                    index += 1
                }
            }
            if count <= less {
                high = less - 1
            } else if count > greater + 1 {
                low = greater + 1
            } else {
                return
            }
        }
    }
}
