import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/diagnose.js';
import { parseCommand, parseDiagnoseText, readFormImage, unescapeSlackText } from '../../src/ingress/slack/parse-command.js';
import { MAX_JOB_IMAGE_CHARS, MAX_JOB_LOG_CHARS } from '../../src/queue/jobs.js';

describe('unescapeSlackText', () => {
  it('undoes the escaping Slack applies to command text, once', () => {
    expect(unescapeSlackText('a -&gt; b &lt;c&gt; &amp;&amp; x&amp;gt;')).toBe('a -> b <c> && x&gt;');
    expect(parseCommand(unescapeSlackText('diagnose error: 413 Request Entity Too Large &gt; 10MB'))).toMatchObject({ kind: 'diagnose', log: 'error: 413 Request Entity Too Large > 10MB' });
  });
});

describe('parseCommand', () => {
  it('subcommands', () => {
    expect(parseCommand('help')).toEqual({ kind: 'help' });
    expect(parseCommand('  STATUS ')).toEqual({ kind: 'status' });
    expect(parseCommand('diagnose')).toEqual({ kind: 'diagnose-modal' });
    expect(parseCommand('diagnose   \n ')).toEqual({ kind: 'diagnose-modal' });
    expect(parseCommand('')).toEqual({ kind: 'usage' });
    expect(parseCommand('frobnicate now')).toEqual({ kind: 'usage', unknown: 'frobnicate' });
  });

  it('diagnose with a lone image reference, an image then a log, or a log', () => {
    expect(parseCommand('diagnose ghcr.io/acme/app:1.2')).toMatchObject({ kind: 'diagnose', image: 'ghcr.io/acme/app:1.2', log: '' });
    const both = parseDiagnoseText('ghcr.io/acme/app:1.2 denied: permission_denied: write_package');
    expect(both).toEqual({ image: 'ghcr.io/acme/app:1.2', log: 'denied: permission_denied: write_package' });
    expect(parseDiagnoseText('denied: requested access to the resource is denied')).toEqual({ log: 'denied: requested access to the resource is denied' });
    expect(parseDiagnoseText('unauthorized: authentication required').image).toBeUndefined();
    expect(parseDiagnoseText('https://evil.example/x denied').image).toBeUndefined();
  });

  it('--private asks for an answer only to the person, with text or with the form', () => {
    expect(parseCommand('diagnose --private ghcr.io/acme/app:1.2 denied')).toEqual({ kind: 'diagnose', image: 'ghcr.io/acme/app:1.2', log: 'denied', private: true });
    expect(parseCommand('diagnose --PRIVATE')).toEqual({ kind: 'diagnose-modal', private: true });
    expect(parseCommand('diagnose denied --private')).toEqual({ kind: 'diagnose', log: 'denied --private' });
  });

  it('redacts secrets and bounds the size', () => {
    const parsed = parseDiagnoseText('error: aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY denied');
    expect(parsed.log).not.toContain('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expect(parseDiagnoseText('x '.repeat(20_000)).log.length).toBeLessThanOrEqual(MAX_JOB_LOG_CHARS);
  });

  it('check takes exactly one image reference; anything else gets the check usage', () => {
    expect(parseCommand('check ghcr.io/acme/app:1.2')).toEqual({ kind: 'check', image: 'ghcr.io/acme/app:1.2' });
    expect(parseCommand('CHECK  123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1 ')).toEqual({ kind: 'check', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1' });
    expect(parseCommand('check')).toEqual({ kind: 'check-usage' });
    expect(parseCommand('check ghcr.io/acme/app:1 and more')).toEqual({ kind: 'check-usage', given: 'ghcr.io/acme/app:1' });
    expect(parseCommand('check <!channel>')).toEqual({ kind: 'check-usage', given: '<!channel>' });
  });

  it('mute takes a fingerprint and a duration (1h by default); unmute a fingerprint alone', () => {
    const fp = '0123456789abcdef0123';
    expect(parseCommand(`mute ${fp}`)).toEqual({ kind: 'mute', fingerprint: fp, duration: '1h' });
    expect(parseCommand(`mute ${fp} 24h`)).toEqual({ kind: 'mute', fingerprint: fp, duration: '24h' });
    expect(parseCommand(`Mute ${fp.toUpperCase()} resolved`)).toEqual({ kind: 'mute', fingerprint: fp, duration: 'resolved' });
    expect(parseCommand(`unmute ${fp}`)).toEqual({ kind: 'unmute', fingerprint: fp });
    expect(parseCommand('mute')).toEqual({ kind: 'mute-usage', unmute: false });
    expect(parseCommand(`mute ${fp} 5y`)).toEqual({ kind: 'mute-usage', unmute: false });
    expect(parseCommand(`mute ${fp} 1h extra`)).toEqual({ kind: 'mute-usage', unmute: false });
    expect(parseCommand(`unmute ${fp} 1h`)).toEqual({ kind: 'mute-usage', unmute: true });
    expect(parseCommand('unmute <!channel>')).toEqual({ kind: 'mute-usage', unmute: true });
  });
});

describe('a pasted log over the job limit', () => {
  it('keeps the failure at its end, not only its head', () => {
    const noise = Array.from({ length: 2000 }, (_, i) => `#${i} layer ${i.toString(16).padStart(12, '0')}: Pushed`).join('\n');
    const failure = 'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload';
    const parsed = parseDiagnoseText(`${noise}\n${failure}\nError: exit code 1`);
    expect(noise.length).toBeGreaterThan(MAX_JOB_LOG_CHARS);
    expect(parsed.log.length).toBeLessThanOrEqual(MAX_JOB_LOG_CHARS);
    expect(parsed.log).toContain(failure);
    expect(parsed.log).toContain('Error: exit code 1');
  });
});

describe('the form\'s image field (read as the CLI reads --image)', () => {
  it('passes a masked reference on, and the diagnosis still reads its registry and region', () => {
    const { image, error } = readFormImage('***.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2');
    expect(error).toBeUndefined();
    expect(image).toBe('***.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2');
    const diagnosis = diagnose({ log: 'denied: requested access to the resource is denied', image: image! });
    expect(diagnosis.provider).toBe('ecr');
    expect(diagnosis.image?.region).toBe('us-east-1');
  });

  it('passes on a reference Docker would refuse as pasted, and the diagnosis says why Docker refuses it', () => {
    for (const pasted of ['ghcr.io/Acme/App:1.0', 'registry.example.com/app:-abc123', '<account>.dkr.ecr.eu-west-1.amazonaws.com/x']) {
      const { image, error } = readFormImage(` ${pasted} `);
      expect(error, pasted).toBeUndefined();
      expect(image, pasted).toBe(pasted);
    }
    const refused = diagnose({ log: '', image: readFormImage('ghcr.io/Acme/App:1.0').image! });
    expect(refused.findings[0]?.title).toMatch(/invalid reference format/);
    expect(refused.provider).toBe('ghcr');
  });

  it('normalises a valid reference, gives nothing for an empty field, and refuses only what is too long for the job', () => {
    expect(readFormImage('app:1')).toEqual({ image: 'docker.io/library/app:1' });
    expect(readFormImage('   ')).toEqual({});
    expect(readFormImage(`registry.example.com/${'a'.repeat(MAX_JOB_IMAGE_CHARS)}`).error).toMatch(/Too long/);
  });
});
