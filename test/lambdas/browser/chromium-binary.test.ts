/**
 * Which shared libraries Chromium runs with: Lambda's own (the package's al2023 archive) wherever this
 * system's glibc can load them, found without Node's diagnostic report reverse-resolving the
 * process's open sockets (on a machine whose resolver does not answer, that held the event loop for
 * 10 s on the first launch).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { loadsAl2023, systemGlibcVersion } from '../../../lambdas/browser/chromium-binary';

describe('the glibc check before the first launch', () => {
  it.each([
    ['2.34', true],
    ['2.36', true],
    ['2.40', true],
    ['3.0', true],
    ['2.33', false],
    ['2.31', false],
    ['1.99', false],
    [null, true],
  ])('glibc %s loads Lambda’s libraries: %s', (version, expected) => {
    expect(loadsAl2023(version)).toBe(expected);
  });

  describe('with open sockets in the process', () => {
    let server: Server;
    let client: Socket;
    beforeAll(async () => {
      server = createServer((socket) => socket.on('error', () => {}));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      client = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => client.once('connect', resolve));
    });
    afterAll(async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('reads the version this Node.js runs with, and never asks the report for its network part', async () => {
      const report = process.report as typeof process.report & { excludeNetwork?: boolean };
      const calls: (boolean | undefined)[] = [];
      const getReport = report.getReport;
      // Every report taken while the version is looked for, with whether its network part was left out.
      report.getReport = (error?: Error) => {
        calls.push(report.excludeNetwork);
        return getReport.call(report, error);
      };
      try {
        const version = await systemGlibcVersion();
        // The truth, from the report without its network part.
        const before = report.excludeNetwork;
        report.excludeNetwork = true;
        const header = (getReport.call(report) as { header?: { glibcVersionRuntime?: string } }).header;
        report.excludeNetwork = before;
        expect(version).toBe(header?.glibcVersionRuntime ?? null);
        expect(calls.filter((excluded) => excluded !== true)).toEqual([]);
      } finally {
        report.getReport = getReport;
      }
    });
  });
});
