/**
 * Load process "peer": @modelcontextprotocol/sdk's client driving the generated MCP server over stdio,
 * one `tools/call` per request, N in flight. CPU is the peer server process's (from /proc/<pid>/stat).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cpuTimeUs } from './lib/proc.js';
import { drive, jsonArg, type DriveOptions, type RunResult } from './lib/drive.js';

interface Args extends Omit<DriveOptions, 'inflight'> {
  entry: string;
  env: Record<string, string>;
  tool: string;
  arguments: Record<string, unknown>;
  levels: number[];
}

const args = jsonArg<Args>();
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [args.entry],
  env: { PATH: process.env.PATH ?? '', ...args.env },
  // The peer logs a line per call to stderr; that cost is part of it, but the text is not wanted here.
  stderr: 'ignore',
});
const client = new Client({ name: 'relay-bench', version: '1.0.0' });
await client.connect(transport);
const pid = transport.pid;
if (pid === null) throw new Error('the peer server has no pid');
const tools = await client.listTools();
if (!tools.tools.some((t) => t.name === args.tool)) throw new Error(`the peer has no tool ${args.tool}`);

const call = async () => {
  const res = await client.callTool({ name: args.tool, arguments: args.arguments }, undefined, { timeout: 60_000 });
  const content = res.content as Array<{ type: string; text?: string }>;
  return !res.isError && content[0]?.text?.startsWith('API Response (Status: 200)') === true;
};
const results: RunResult[] = [];
for (const inflight of args.levels) results.push(await drive({ ...args, inflight }, call, () => cpuTimeUs(pid)));
await client.close();
process.stdout.write(`${JSON.stringify(results)}\n`);
