import AuthKitPlatform

/// Something the event loop polls: a socket with its interest, deadlines and pending writes.
///
/// Every method is called on the loop thread only.
protocol LoopHandler: AnyObject {
    /// The socket to poll.
    var fileDescriptor: Int32 { get }
    /// Whether to poll for writability as well as readability.
    var wantsWrite: Bool { get }
    /// How many commands sent or queued on this socket still wait for their replies.
    var awaitedReplies: Int { get }
    /// Reacts to `poll` results (`POLLIN`, `POLLOUT`, `POLLERR`, `POLLHUP`).
    func handle(events: Platform.PollEvents)
    /// Writes what is queued, once per loop iteration so that concurrent commands go out in one batch.
    func flush()
    /// Fails what is overdue at `now`; returns the next deadline to wake up for, if any.
    func checkDeadlines(now: UInt64) -> UInt64?
}
