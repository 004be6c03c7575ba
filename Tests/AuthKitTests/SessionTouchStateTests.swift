import AuthKitClock
import Testing

@testable import AuthKit

/// The coalescing bookkeeping event by event, with no store and no task: what each use, batch and flush does.
@Suite("SessionTouchState")
struct SessionTouchStateTests {
    static let start = UnixTime(seconds: 1_767_225_600)
    static let phone = SessionTouchState.Key(userID: "42", sessionID: "phone")
    static let laptop = SessionTouchState.Key(userID: "42", sessionID: "laptop")

    /// The state under test, driven through a reference so that `#expect` can take each event's answer.
    final class Machine {
        var state: SessionTouchState

        init(capacity: Int = 10, running: Bool = true) {
            state = SessionTouchState(interval: .seconds(60), capacity: capacity)
            if running { _ = state.startRunning() }
        }

        /// What a use of `key` at `start + offset` does: `scheduled`, `coalesced`, `dropped` or `inline`.
        func use(_ key: SessionTouchState.Key, after offset: Duration = .zero) -> String {
            switch state.record(key, at: SessionTouchStateTests.start + offset) {
            case .scheduled: "scheduled"
            case .coalesced: "coalesced"
            case .dropped: "dropped"
            case .touchInline: "inline"
            }
        }

        func batch(limit: Int = 64) -> [SessionTouchState.Key] {
            state.takeBatch(limit: limit)
        }

        func dropPending() -> Int {
            state.dropPending()
        }
    }

    @Test func theFirstUseOfAnIntervalIsQueuedAndLaterOnesCoalesce() {
        let machine = Machine()
        #expect(machine.use(Self.phone) == "scheduled")
        #expect(machine.use(Self.phone, after: .seconds(1)) == "coalesced")
        #expect(machine.use(Self.laptop, after: .seconds(1)) == "scheduled")
        #expect(machine.batch() == [Self.phone, Self.laptop])
        // Written or not, the window holds until the interval has passed.
        #expect(machine.use(Self.phone, after: .milliseconds(59_999)) == "coalesced")
        #expect(machine.use(Self.phone, after: .seconds(60)) == "scheduled")
        #expect(machine.state.counts.coalesced == 2)
    }

    @Test func aPendingTouchCoalescesEvenPastItsInterval() {
        let machine = Machine()
        #expect(machine.use(Self.phone) == "scheduled")
        #expect(machine.use(Self.phone, after: .seconds(120)) == "coalesced", "one pending touch at most")
        #expect(machine.batch() == [Self.phone])
    }

    @Test func aClockThatWentBackEndsTheWindow() {
        let machine = Machine()
        #expect(machine.use(Self.phone) == "scheduled")
        #expect(machine.batch() == [Self.phone])
        #expect(machine.use(Self.phone, after: .seconds(-1)) == "scheduled")
    }

    @Test func aFullStateDropsNewSessionsUntilTheOldestWindowEnds() {
        let machine = Machine(capacity: 1)
        #expect(machine.use(Self.phone) == "scheduled")
        #expect(machine.use(Self.laptop, after: .seconds(1)) == "dropped")
        #expect(machine.batch() == [Self.phone])
        #expect(machine.use(Self.laptop, after: .seconds(60)) == "scheduled")
        #expect(machine.state.counts.dropped == 1)
    }

    @Test func withoutAWriterOrOnceFlushingTouchesAreInline() {
        let idle = Machine(running: false)
        #expect(idle.use(Self.phone) == "inline")
        #expect(!idle.state.isIdle)
        _ = idle.state.finished(SessionTouchState.Counts(written: 1), touches: 1, inline: true)
        #expect(idle.state.isIdle)
        #expect(idle.state.counts.written == 1)
        #expect(idle.use(Self.phone, after: .seconds(1)) == "coalesced")

        let flushing = Machine()
        flushing.state.startFlushing()
        #expect(flushing.use(Self.laptop) == "inline")
    }

    @Test func aFlushDropsWhatItCouldNotWriteAndTheSessionIsScheduledAgain() {
        let machine = Machine()
        #expect(machine.use(Self.phone) == "scheduled")
        #expect(machine.use(Self.laptop) == "scheduled")
        #expect(machine.batch(limit: 1) == [Self.phone])
        machine.state.startFlushing()
        #expect(machine.dropPending() == 1)
        #expect(machine.state.counts.dropped == 1)
        #expect(machine.use(Self.laptop, after: .seconds(1)) == "inline", "a dropped session's next use touches it")
        #expect(machine.use(Self.phone, after: .seconds(1)) == "coalesced")
    }
}
