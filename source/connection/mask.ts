// Screens are shared in war rooms: every URL, error and log line goes through here first.
// One rule for every kind of URL (postgres, pgbouncer, http, prom+https, …): the password is all of
// the userinfo after its first ':', and the userinfo ends where the URL parser ends it, at the LAST
// '@' of the authority, so `http://u:Pa@ss@host` is `http://u:***@host`, never `http://u:***@ss@host`.

const MASK = '***';
const SECRET_PARAMS = /([?&](?:ssl)?password=)[^&#\s]*/gi;
const KEYWORD_PASSWORD = /(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]+)/gi;
const URL_START = /^\s*[a-z][a-z\d+.-]*:\/\//i;
/** A URL inside free text: from its scheme to the next whitespace or the next URL's scheme. */
const URL_IN_TEXT = /\b[a-z][a-z\d+.-]*:\/\/(?:(?![a-z][a-z\d+.-]*:\/\/)\S)*/gi;
/** Schemes whose authority also ends at a backslash (the WHATWG URL standard's "special" schemes). */
const SPECIAL_SCHEME = /^(?:https?|wss?|ftp|file):/i;

/**
 * One URL (no whitespace in it) with the password of its userinfo masked. Where the URL parser
 * accepts it, the userinfo is exactly what the parser takes (up to the last '@' before the first
 * '/', '?' or '#'); where it does not, everything up to the URL's last '@' is treated as userinfo:
 * a URL that does not parse cannot say where its password ends, so more is masked, never less.
 */
function maskOneUrl(url: string): string {
	const start = url.indexOf('://') + 3;
	let parsed: URL | null;
	try {
		parsed = new URL(url);
	} catch {
		parsed = null;
	}

	if (parsed && parsed.password === '') {
		return url;
	}

	let end = url.length;
	if (parsed) {
		const isSpecial = SPECIAL_SCHEME.test(url);
		for (let index = start; index < url.length; index++) {
			const character = url[index];
			if (character === '/' || character === '?' || character === '#' || (isSpecial && character === '\\')) {
				end = index;
				break;
			}
		}
	}

	const at = url.lastIndexOf('@', end - 1);
	if (at < start) {
		return url;
	}

	const colon = url.indexOf(':', start);
	if (colon === -1 || colon > at) {
		return url;
	}

	return `${url.slice(0, colon + 1)}${MASK}${url.slice(at)}`;
}

const maskUrlsIn = (text: string) => text.replace(URL_IN_TEXT, url => maskOneUrl(url)).replace(SECRET_PARAMS, `$1${MASK}`);

/** Mask the password of a URL (or of a libpq keyword/value string). Never throws. */
export function maskUrl(text: string): string {
	return URL_START.test(text) ? maskUrlsIn(text) : text.replace(KEYWORD_PASSWORD, `$1${MASK}`);
}

/**
 * Mask credentials anywhere in free text (an error message can quote a URL), and any known
 * secret verbatim: a server or library may echo a password without a URL around it.
 */
export function maskText(text: string, secrets: ReadonlyArray<string | null | undefined> = []): string {
	let masked = maskUrlsIn(text);
	for (const secret of secrets) {
		if (secret && secret.length >= 3) {
			masked = masked.split(secret).join(MASK);
		}
	}

	return masked;
}

/** The password of a URL, raw and decoded, for maskText: a library may echo either form. */
export function urlSecrets(url: string): string[] {
	let password: string;
	try {
		password = new URL(url).password;
	} catch {
		return [];
	}

	if (!password) {
		return [];
	}

	try {
		return [password, decodeURIComponent(password)];
	} catch {
		return [password];
	}
}
