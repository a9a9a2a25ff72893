import FlyingFox

/// A response that is never sent: FlyingFox asks a WebSocket handler for its frames before it writes the
/// upgrade's header, so failing there closes the connection with no answer at all — as a service that dies
/// (or a proxy that gives up) after the request took effect.
struct ConnectionDropper: WSHandler {
    struct Dropped: Error {}

    func makeFrames(for client: AsyncThrowingStream<WSFrame, any Error>) async throws -> AsyncStream<WSFrame> {
        throw Dropped()
    }
}
