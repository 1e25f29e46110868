// An MCP SDK OAuthClientProvider for the authorization-code + PKCE flow whose "browser" is a
// cookie-keeping fetch loop: it opens the authorization URL, signs in and consents on the
// provider's own forms, and stops at the redirect URI holding the code, as a person clicking
// through would. The test then hands the code to the transport (finishAuth) and reconnects.
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

export class PkceTestClient implements OAuthClientProvider {
  private verifier = '';
  private saved: OAuthTokens | undefined;
  /** The authorization code the provider redirected back with. */
  code: string | undefined;
  /** The authorization request as the client sent it (resource, scope, code_challenge). */
  authorizationUrl: URL | undefined;

  constructor(
    private readonly clientId: string,
    readonly redirectUrl: string,
    private readonly user: string,
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'pkce-test',
      redirect_uris: [this.redirectUrl],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
    };
  }
  clientInformation(): OAuthClientInformationMixed {
    return { client_id: this.clientId };
  }
  tokens(): OAuthTokens | undefined {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.authorizationUrl = authorizationUrl;
    const cookies = new Map<string, string>();
    const send = async (url: string, form?: Record<string, string>): Promise<Response> => {
      const response = await fetch(url, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form) } : {}),
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return response;
    };
    let url = authorizationUrl.href;
    for (let hop = 0; hop < 20; hop += 1) {
      if (url.startsWith(this.redirectUrl)) {
        const back = new URL(url);
        const code = back.searchParams.get('code');
        if (!code) throw new Error(`authorization failed: ${back.searchParams.get('error')} ${back.searchParams.get('error_description')}`);
        this.code = code;
        return;
      }
      let response = await send(url);
      const interaction = /\/interaction\/([^/?]+)$/.exec(new URL(url).pathname);
      if (response.status === 200 && interaction) {
        const page = await response.text();
        // The dev forms: a login form, then a consent form.
        const form: Record<string, string> = page.includes('name="login"')
          ? { prompt: 'login', login: this.user, password: 'any' }
          : { prompt: 'consent' };
        response = await send(url, form);
      }
      const location = response.headers.get('location');
      if (!location) throw new Error(`authorization stopped at ${url} with HTTP ${response.status}`);
      url = new URL(location, url).href;
    }
    throw new Error('authorization did not come back to the redirect URI');
  }
}
