/**
 * Prefetch templates and their tokens (CDS Hooks 2.0 "Prefetch tokens"): {{context.<field>}} for root-level
 * primitive context fields, and {{userPractitionerId}}, {{userPractitionerRoleId}}, {{userPatientId}},
 * {{userRelatedPersonId}} from context.userId. Values are URL-encoded.
 */
const TOKEN = /\{\{\s*([A-Za-z.]+)\s*\}\}/g;

const USER_TOKENS: Readonly<Record<string, string>> = {
  userPractitionerId: 'Practitioner',
  userPractitionerRoleId: 'PractitionerRole',
  userPatientId: 'Patient',
  userRelatedPersonId: 'RelatedPerson',
};

export type Rendered =
  { readonly ok: true; readonly query: string } | { readonly ok: false; readonly problem: string };

export function renderTemplate(template: string, context: Readonly<Record<string, unknown>>): Rendered {
  let problem: string | undefined;
  const query = template.replace(TOKEN, (_, token: string) => {
    let value: unknown;
    if (token.startsWith('context.')) {
      value = context[token.slice('context.'.length)];
    } else if (Object.hasOwn(USER_TOKENS, token)) {
      const userId = typeof context.userId === 'string' ? context.userId : '';
      const [type, id] = userId.split('/');
      value = type === USER_TOKENS[token] ? id : undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      problem ??= `the prefetch token {{${token}}} has no value in this request`;
      return '';
    }
    return encodeURIComponent(String(value));
  });
  return problem === undefined ? { ok: true, query } : { ok: false, problem };
}

/** The tokens a template uses: discovery must only advertise tokens CDS Hooks 2.0 allows. */
export function tokensOf(template: string): string[] {
  return [...template.matchAll(TOKEN)].map((m) => m[1] ?? '');
}

export function isAllowedToken(token: string): boolean {
  return /^context\.[A-Za-z]+$/.test(token) || Object.hasOwn(USER_TOKENS, token);
}
