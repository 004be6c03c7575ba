import RedisClient
import Testing

@testable import AuthKitRedis

/// `CLUSTER NODES` as the cluster mirror reads it: which nodes it must subscribe on, and no node guessed from a line
/// of another shape.
@Suite("ClusterNodeList")
struct ClusterNodeListTests {
    private static let text = """
        07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,node-4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
        67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
        292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master,fail - 1426238313231 1426238312224 3 disconnected
        e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [3300->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
        6ec23923021cf3ffec47632106199cb7f496ce01 [::1]:30005@31005 master,fail? - 1426238316232 0 5 connected 10923-16383
        824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30006@31006 handshake - 0 0 0 connected
        a1b2c3 :0@0 noaddr,master - 0 0 0 disconnected

        """

    @Test("every node is read; the live ones are those neither failed, in the handshake nor without an address")
    func liveNodes() throws {
        let list = try ClusterNodeList(Self.text)
        #expect(list.nodes.count == 7)
        #expect(
            list.live.map(\.port) == [30004, 30002, 30001, 30005],
            "a failed, handshaking or address-less node was counted live, or a live one was dropped"
        )
        let v6 = try #require(list.nodes.first { $0.port == 30005 })
        #expect(v6.host == "::1")
        #expect(v6.flags == ["master", "fail?"])
        #expect(list.nodes.first?.host == "127.0.0.1")
    }

    @Test("a line that is not a node, or no node at all, is an error")
    func malformed() {
        for text in ["", "\n", "abc 127.0.0.1 master", "abc 127.0.0.1:port@1 master - 0 0 1 connected", "x y z"] {
            #expect(throws: RedisError.self, "\(text.debugDescription) was read") { try ClusterNodeList(text) }
        }
    }
}
