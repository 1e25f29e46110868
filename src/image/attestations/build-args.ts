// Build arguments recorded in provenance are whatever the builder passed with --build-arg, and
// people pass credentials that way. The generic redactor catches keys ending in token, secret or
// password; build-arg names are upper-case with prefixes (`build-arg:NPM_AUTH`, `AWS_ACCESS_KEY_ID`),
// so this rule is broader and applied before the result leaves the action.
import { REDACTED } from '../../redact.js';
import { obj } from './json-fields.js';

const SECRET_NAME =
  /(TOKEN|PASSWORD|PASSWD|PASS|SECRET|CREDENTIAL|AUTH|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|_KEY$|^KEY$|PAT$|COOKIE|SESSION)/i;

export function isSecretArgName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/^build-arg:/, ''));
}

/** The args map with secret-looking values replaced. */
export function redactArgs(args: unknown): Record<string, unknown> {
  const o = obj(args) ?? {};
  return Object.fromEntries(Object.entries(o).map(([key, value]) => [key, isSecretArgName(key) && value !== '' ? REDACTED : value]));
}

/**
 * A provenance predicate with its build arguments redacted, for showing the full document: v0.2
 * keeps them in `invocation.parameters.args`, v1 in `buildDefinition.externalParameters.request.args`.
 */
export function redactProvenance(predicate: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(predicate);
  const params = obj(obj(copy.invocation)?.parameters);
  if (params && params.args !== undefined) params.args = redactArgs(params.args);
  const request = obj(obj(obj(copy.buildDefinition)?.externalParameters)?.request);
  if (request && request.args !== undefined) request.args = redactArgs(request.args);
  return copy;
}
