/**
 * Test support shared across packages: a real S3-compatible server (S3Proxy) on 127.0.0.1 for tests,
 * the demo and the benchmarks.
 */
package verso.testing;
