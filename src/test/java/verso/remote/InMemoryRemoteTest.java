package verso.remote;

/** The contract for the in-memory fake, so that tests built on it can trust it. */
final class InMemoryRemoteTest extends RemoteContractTest {
    @Override
    protected Remote newRemote() {
        return new InMemoryRemote();
    }
}
