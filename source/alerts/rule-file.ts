// The rule file as text: Prometheus' rule-file YAML, written by hand (it is a small, fixed shape).
// Expressions go in literal blocks (no escaping at all); annotations in single quotes ('' for ').

export type RecordingRule = {record: string; expr: string; labels?: Record<string, string>; comment?: string};
export type AlertingRule = {
	alert: string;
	expr: string;
	/** A Prometheus duration. */
	for: string;
	severity: 'warning' | 'critical';
	summary: string;
	description: string;
	comment?: string;
};
export type Rule = RecordingRule | AlertingRule;

const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** A literal block: every line of `text` indented under its key. */
function block(key: string, text: string, indent: string): string[] {
	return [`${indent}${key}: |-`, ...text.split('\n').map(line => `${indent}  ${line}`)];
}

function ruleLines(rule: Rule): string[] {
	const lines = rule.comment ? rule.comment.split('\n').map(line => `      # ${line}`) : [];
	if ('record' in rule) {
		lines.push(`      - record: ${quoted(rule.record)}`, ...block('expr', rule.expr, '        '));
		if (rule.labels) {
			lines.push('        labels:', ...Object.entries(rule.labels).map(([name, value]) => `          ${name}: ${quoted(value)}`));
		}

		return lines;
	}

	lines.push(
		`      - alert: ${rule.alert}`,
		...block('expr', rule.expr, '        '),
		`        for: ${rule.for}`,
		'        labels:',
		`          severity: ${rule.severity}`,
		'        annotations:',
		`          summary: ${quoted(rule.summary)}`,
		`          description: ${quoted(rule.description)}`,
	);
	return lines;
}

/** One group, evaluated every `interval`, with a comment header. */
export function ruleFileText(header: readonly string[], group: {name: string; interval: string; rules: readonly Rule[]}): string {
	const lines = [
		...header.map(line => (line === '' ? '#' : `# ${line}`)),
		'groups:',
		`  - name: ${group.name}`,
		`    interval: ${group.interval}`,
		group.rules.length > 0 ? '    rules:' : '    rules: []',
		...group.rules.flatMap(rule => ruleLines(rule)),
	];
	return `${lines.join('\n')}\n`;
}
