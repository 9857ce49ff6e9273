// Screens are shared in war rooms: every URL, error and log line goes through here first.

const MASK = '***';
const SECRET_PARAMS = /([?&](?:ssl)?password=)[^&#\s]*/gi;
// scheme://user:password@  (any scheme, e.g. postgres, pgbouncer, http, prom+https)
const USERINFO = /\b([a-z][a-z\d+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]*@/gi;
const KEYWORD_PASSWORD = /(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]+)/gi;

/** Mask the password of a URL (or a libpq keyword/value string). Never throws. */
export function maskUrl(text: string): string {
	if (/^\s*[a-z][a-z\d+.-]*:\/\//i.test(text)) {
		return text.replace(USERINFO, `$1${MASK}@`).replace(SECRET_PARAMS, `$1${MASK}`);
	}

	return text.replace(KEYWORD_PASSWORD, `$1${MASK}`);
}

/**
 * Mask credentials anywhere in free text (an error message can quote a URL), and any known
 * secret verbatim: a server or library may echo a password without a URL around it.
 */
export function maskText(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
	let masked = text.replace(USERINFO, `$1${MASK}@`).replace(SECRET_PARAMS, `$1${MASK}`);
	for (const secret of secrets) {
		if (secret && secret.length >= 3) {
			masked = masked.split(secret).join(MASK);
		}
	}

	return masked;
}

/** The password of a URL, raw and decoded, for maskText: a library may echo either form. */
export function urlSecrets(url: string): string[] {
	try {
		const {password} = new URL(url);
		return password ? [password, decodeURIComponent(password)] : [];
	} catch {
		return [];
	}
}
