// `--help` and the terminal hint, rendered from the settings table (config-spec.ts) so the CLI's
// own documentation lists exactly the flags and variables the code reads.
import { SETTINGS, type Setting } from '../config-spec.js';

/** The Inspector one-liner that drives this server over stdio from a browser. */
export function inspectorCommand(entry: string): string {
  return `npx @modelcontextprotocol/inspector node ${entry}`;
}

function valueHint(setting: Setting): string {
  switch (setting.kind) {
    case 'bool':
      return '';
    case 'enum':
      return ` <${setting.values?.join('|')}>`;
    case 'int':
      return ` <${setting.min}..${setting.max}>`;
    case 'list':
      return ' <a,b,…>';
    default:
      return ` <${setting.kind}>`;
  }
}

function defaultHint(setting: Setting): string {
  const value = setting.default;
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return '';
  return ` [default: ${Array.isArray(value) ? value.join(',') : String(value)}]`;
}

/** Backticks are Markdown in the table's descriptions; a terminal shows them as noise. */
const plain = (text: string): string => text.replace(/`/g, '');

function row(left: string, right: string, width: number): string {
  return left.length >= width - 1 ? `${left}\n${' '.repeat(width)}${right}` : `${left.padEnd(width)}${right}`;
}

export function helpText(version: string, entry = 'dist/main.cjs'): string {
  const width = 34;
  const lines = [
    `dockerhub-mcp ${version}: MCP server for Docker Hub, OCI registries and Docker Scout`,
    '',
    'Usage: dockerhub-mcp [flags]',
    '',
    'An MCP client starts this program and talks to it over stdin/stdout (stdio, the default), or',
    'it serves streamable HTTP (--transport http). To try it by hand, open it in the MCP Inspector:',
    `  ${inspectorCommand(entry)}`,
    '',
    'Flags (each mirrors an environment variable; a flag wins over the variable):',
  ];
  for (const setting of SETTINGS) {
    if (!setting.flag) continue;
    lines.push(row(`  --${setting.flag}${valueHint(setting)}`, `${setting.env[0]}`, width));
  }
  lines.push(row('  -h, --help', 'Print this help on stdout and exit.', width));
  lines.push(row('  -v, --version', 'Print the version on stdout and exit.', width));
  lines.push('', 'Environment variables (also read from ./.env; the real environment wins):');
  for (const setting of SETTINGS) {
    const names = setting.env.join(', ');
    const secret = setting.kind === 'secret' ? ' (secret, never logged)' : '';
    lines.push(`  ${names}${valueHint(setting)}${defaultHint(setting)}${secret}`);
    lines.push(`      ${plain(setting.description)}`);
  }
  lines.push('', 'Exit status: 0 after --help/--version or a clean shutdown, 2 on a configuration error, 1 on a fatal error.');
  return lines.join('\n');
}

/** Printed on stderr when stdio mode starts with a terminal on stdin: nobody is going to type JSON-RPC. */
export function terminalHint(version: string, entry: string): string {
  return [
    `dockerhub-mcp ${version}: waiting for an MCP client on stdin (JSON-RPC over stdio; this is not an interactive program).`,
    `  Configure an MCP client to start it (see mcp_config.json), or try it in the MCP Inspector:`,
    `  ${inspectorCommand(entry)}`,
    `  --help lists the flags and variables; Ctrl-C stops.`,
  ].join('\n');
}
