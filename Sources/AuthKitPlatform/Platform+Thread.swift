#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Platform {
    /// Carries a thread's body through `pthread_create`'s context pointer.
    private final class ThreadBody {
        let run: @Sendable () -> Void

        init(_ run: @escaping @Sendable () -> Void) {
            self.run = run
        }
    }

    /// Starts a detached thread running `body`; `false` (and `body` is dropped) when none could be created.
    ///
    /// `pthread_t` is an integer on Glibc and a pointer on Musl and Darwin (imported as an optional there), and
    /// Darwin's start routine takes a non-optional argument: hence the branches.
    package static func startDetachedThread(_ body: @escaping @Sendable () -> Void) -> Bool {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t? = nil
        #endif
        #if canImport(Darwin)
        let result = pthread_create(
            &thread,
            nil,
            { argument in
                Unmanaged<ThreadBody>.fromOpaque(argument).takeRetainedValue().run()
                return nil
            },
            context
        )
        #else
        let result = pthread_create(
            &thread,
            nil,
            { argument in
                guard let argument else { return nil }
                Unmanaged<ThreadBody>.fromOpaque(argument).takeRetainedValue().run()
                return nil
            },
            context
        )
        #endif
        #if canImport(Glibc)
        if result == 0 {
            pthread_detach(thread)
        }
        #else
        if result == 0, let thread {
            pthread_detach(thread)
        }
        #endif
        if result != 0 {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
        }
        return result == 0
    }

    /// Gives the processor to another runnable thread (`sched_yield`).
    package static func yieldProcessor() {
        sched_yield()
    }

    /// Blocks the calling thread for `microseconds` (`usleep`).
    package static func sleep(microseconds: UInt32) {
        usleep(microseconds)
    }

    /// A non-blocking, close-on-exec pipe (read end, write end) that wakes a thread sleeping in `poll`, or `nil`.
    ///
    /// A pipe rather than Linux's `eventfd`, which Darwin lacks; `pipe2` is Linux-only too, so the flags are set
    /// after the fact.
    package static func makeWakePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard fds.withUnsafeMutableBufferPointer({ pipe($0.baseAddress) }) == 0 else { return nil }
        for fd in fds {
            setNonBlocking(fd)
            setCloseOnExec(fd)
        }
        return (fds[0], fds[1])
    }
}
