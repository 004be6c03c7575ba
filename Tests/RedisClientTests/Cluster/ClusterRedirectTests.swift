import Testing

@testable import RedisClient

/// Reading MOVED, ASK, TRYAGAIN, CLUSTERDOWN and LOADING replies.
@Suite("ClusterRedirect")
struct ClusterRedirectTests {
    private func redirect(_ message: String) -> ClusterRedirect? {
        ClusterRedirect(errorMessage: message, answeringHost: "10.0.0.9")
    }

    @Test("MOVED and ASK name a slot and a node")
    func movedAndAsk() {
        #expect(redirect("MOVED 3999 127.0.0.1:6381") == .moved(slot: 3999, to: .init(host: "127.0.0.1", port: 6381)))
        #expect(redirect("ASK 3999 127.0.0.1:6381") == .ask(slot: 3999, to: .init(host: "127.0.0.1", port: 6381)))
        #expect(
            redirect("MOVED 1 redis-2.internal:7000")
                == .moved(slot: 1, to: .init(host: "redis-2.internal", port: 7000))
        )
    }

    @Test("an endpoint without host means the node that answered; IPv6 comes with or without brackets")
    func hosts() {
        #expect(redirect("MOVED 5 :6380") == .moved(slot: 5, to: .init(host: "10.0.0.9", port: 6380)))
        #expect(redirect("MOVED 5 ?:6380") == .moved(slot: 5, to: .init(host: "10.0.0.9", port: 6380)))
        #expect(redirect("ASK 5 ::1:6380") == .ask(slot: 5, to: .init(host: "::1", port: 6380)))
        #expect(redirect("ASK 5 [::1]:6380") == .ask(slot: 5, to: .init(host: "::1", port: 6380)))
    }

    @Test("transient conditions")
    func transient() {
        #expect(redirect("TRYAGAIN Multiple keys request during rehashing of slot") == .tryAgain)
        #expect(redirect("CLUSTERDOWN The cluster is down") == .clusterDown)
        #expect(redirect("LOADING Redis is loading the dataset in memory") == .loading)
    }

    @Test(
        "anything else is the command's own error",
        arguments: [
            "ERR wrong number of arguments", "NOSCRIPT No matching script", "WRONGTYPE x", "MOVED", "MOVED x 1:2",
            "MOVED 16384 h:1", "MOVED 1 host", "MOVED 1 host:0", "ASK -1 h:1", "", "READONLY You can't write",
        ]
    )
    func notRedirects(message: String) {
        #expect(redirect(message) == nil)
    }
}
