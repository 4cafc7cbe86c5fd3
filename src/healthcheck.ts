// `node dist/healthcheck.js`: the container's HEALTHCHECK. Exits 0 when this machine's bot answers
// /healthz with 200 (ready: storage reachable, Slack's token accepted), 1 otherwise, in 5 s at most.
// A separate program so the image needs no curl or wget.
// Probes are on METRICS_PORT when it is set, else on PORT.
const configured = process.env.METRICS_PORT || process.env.PORT;
const port = configured && configured !== '0' ? configured : '3000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) });
  process.stdout.write(`${response.status} ${await response.text()}\n`);
  process.exit(response.status === 200 ? 0 : 1);
} catch (error) {
  process.stdout.write(
    `no answer on port ${port}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
