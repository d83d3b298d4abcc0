// What a log line says beyond its wording: the image, the denied permission, the principal, the client
// IP, the HTTP status. A table of extractors, each naming the fact it fills; the first group that
// matched is the value.
import type { Facts } from './diagnosis.js';

/** Facts read by a line's extractors (the client tool is read from the whole log, see client-tool.ts). */
export type FactName = Exclude<keyof Facts, 'tool'>;

export interface FactExtractor {
  fact: FactName;
  pattern: RegExp;
}

const IMAGE = String.raw`([\w.:<>*-]+(?:\/[\w.<>*-]+)+(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?)`;

const factExtractors: readonly FactExtractor[] = [
  // Images, most explicit first.
  { fact: 'image', pattern: new RegExp(String.raw`push refers to (?:a )?repository \[([^\]\s]+)\]`, 'i') },
  { fact: 'image', pattern: new RegExp(String.raw`failed to push to destination ${IMAGE}`, 'i') },
  { fact: 'image', pattern: new RegExp(String.raw`(?:docker|podman|nerdctl|buildah)(?: image)? push (?:-{1,2}[\w-]+(?:[ =]\S+)? )*${IMAGE}`, 'i') },
  { fact: 'image', pattern: new RegExp(String.raw`(?:crane (?:push|cp|copy) \S+|skopeo copy \S+ (?:docker:\/\/)?|oras (?:manifest )?push) ${IMAGE}`, 'i') },
  { fact: 'image', pattern: new RegExp(String.raw`(?:An image does not exist locally with the tag|tag does not exist|No such image):\s*${IMAGE}`, 'i') },
  { fact: 'image', pattern: new RegExp(String.raw`Error uploading manifest \S+ to ${IMAGE}`, 'i') },

  // The registry host behind a URL of the Distribution API or of a token service.
  { fact: 'host', pattern: /https?:\/\/([\w.<>-]+(?::\d+)?)\/(?:v2\/|oauth2\/|token\?)/i },
  { fact: 'host', pattern: /Access to registry '([^']+)'/i },
  { fact: 'host', pattern: /(?:Logging in(?:to)?|Login to|login) ([\w-]+(?:\.[\w-]+)+(?::\d+)?)/i },

  // IAM: the principal and the denied action; ECR repository ARNs carry region, account and repository.
  { fact: 'principal', pattern: /User: (arn:aws[\w-]*:(?:iam|sts)::\d{12}:[\w+=,.@/-]+)/ },
  { fact: 'principal', pattern: /(?:serviceAccount:|member )?([\w.-]+@[\w-]+\.iam\.gserviceaccount\.com)/ },
  { fact: 'permission', pattern: /not authorized to perform:\s*([\w-]+:[\w*]+)/i },
  { fact: 'permission', pattern: /Permission "?([\w.]+)"? denied/i },
  { fact: 'permission', pattern: /(?:do(?:es)? not have|without) (?:the )?permission[s]? ['"]?([\w.]+\.[\w.]+)['"]?/i },
  { fact: 'region', pattern: /arn:aws[\w-]*:ecr:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:repository\// },
  { fact: 'account', pattern: /arn:aws[\w-]*:ecr:[\w-]+:(\d{12}):repository\// },
  { fact: 'repository', pattern: /arn:aws[\w-]*:ecr:[\w-]+:\d{12}:repository\/([\w./-]+[\w])/ },
  { fact: 'repository', pattern: /The repository with name '([^']+)'/i },
  { fact: 'account', pattern: /in the registry with id '(\d{12})'/i },

  // Google: projects/P/locations/L/repositories/R, and GCR's project words.
  { fact: 'account', pattern: /projects\/([\w.:-]+)\/locations\/[\w-]+\/repositories\// },
  { fact: 'region', pattern: /projects\/[\w.:-]+\/locations\/([\w-]+)\/repositories\// },
  { fact: 'repository', pattern: /projects\/[\w.:-]+\/locations\/[\w-]+\/repositories\/([\w-]+)/ },
  { fact: 'account', pattern: /(?:for project|Project) '(?:projects\/)?([^']+)'/ },

  // Azure.
  { fact: 'clientIp', pattern: /client with IP '?([\d.]+|[0-9a-f:]+)'?/i },
  { fact: 'account', pattern: /ACR Tasks requests for the registry ([\w-]+)/i },

  // HTTP status and OCI error code, in the forms the clients print them.
  {
    fact: 'httpStatus',
    pattern:
      /(?:Response code|status code|http status code|Status|unexpected status(?: code)?|HTTP\/\d(?:\.\d)?)[:]? '?(\d{3})\b|\b(\d{3}) (?:Unauthorized|Forbidden|Not Found|Too Many Requests|Bad Request|Request Entity Too Large|Service Unavailable|Bad Gateway|Gateway Time-?out|Internal Server Error)\b/i,
  },
  { fact: 'ociCode', pattern: /"code":\s*"([A-Z_]+)"/ },
  { fact: 'ociCode', pattern: /ErrorCode: ([A-Z_]+)/ },
  {
    fact: 'ociCode',
    pattern:
      /\b(BLOB_UNKNOWN|BLOB_UPLOAD_INVALID|BLOB_UPLOAD_UNKNOWN|DIGEST_INVALID|MANIFEST_BLOB_UNKNOWN|MANIFEST_INVALID|MANIFEST_UNKNOWN|MANIFEST_UNVERIFIED|NAME_INVALID|NAME_UNKNOWN|SIZE_INVALID|TAG_INVALID|UNAUTHORIZED|DENIED|UNSUPPORTED|TOOMANYREQUESTS)\b/,
  },
];

/** Fill facts not yet known from one line. Earlier extractors and earlier lines win. */
export function extractFacts(line: string, into: Facts): void {
  for (const { fact, pattern } of factExtractors) {
    if (into[fact] !== undefined) continue;
    const match = pattern.exec(line);
    if (!match) continue;
    const value = match.slice(1).find((group) => group !== undefined);
    if (value === undefined) continue;
    if (fact === 'httpStatus') into.httpStatus = Number(value);
    else into[fact] = value;
  }
}
