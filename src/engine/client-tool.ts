// Which client ran the push (docker, buildx, podman, …), from the wording of the log. Pure. Remediation
// uses it to give that tool's own commands; it is a hint, so the first, most specific wording wins.
export const CLIENT_TOOLS = ['docker', 'buildx', 'podman', 'buildah', 'skopeo', 'crane', 'kaniko', 'jib', 'helm', 'oras', 'ko'] as const;
export type ClientTool = (typeof CLIENT_TOOLS)[number];

/** Most specific first: a kaniko or jib log also mentions docker; a buildx log also says `docker`. */
const TOOL_SIGNALS: ReadonlyArray<{ tool: ClientTool; pattern: RegExp }> = [
  { tool: 'kaniko', pattern: /\bkaniko\b|error checking push permissions|\/kaniko\/executor|gcr\.io\/kaniko-project/i },
  { tool: 'jib', pattern: /\bjib(?:-maven-plugin|-gradle-plugin|:build|Build)?\b|com\.google\.cloud\.tools\.jib/i },
  { tool: 'helm', pattern: /\bhelm (?:push|registry login)\b|Error: (?:failed to push|pushing) chart|oci:\/\/[^\s]+ .*chart|application\/vnd\.cncf\.helm/i },
  { tool: 'oras', pattern: /\boras (?:push|login|cp|copy|attach|manifest push)\b|^Error: .*\boras\b/i },
  { tool: 'ko', pattern: /\bko (?:build|publish|resolve|apply|login)\b|KO_DOCKER_REPO|error publishing \S+: /i },
  { tool: 'skopeo', pattern: /\bskopeo\b/i },
  { tool: 'crane', pattern: /\bcrane (?:push|copy|cp|append|mutate|auth|tag)\b|^crane: |\bgo-containerregistry\b/i },
  { tool: 'buildah', pattern: /\bbuildah (?:push|bud|build|login|commit)\b/i },
  { tool: 'podman', pattern: /\bpodman\b/i },
  { tool: 'buildx', pattern: /\bbuildx\b|^#\d+ (?:ERROR|exporting to image|pushing layers)|ERROR: failed to solve|docker\/build-push-action|\bbuildkit\b/i },
  { tool: 'docker', pattern: /\bdocker (?:image )?push\b|The push refers to repository|\bdocker login\b|^denied: requested access|Error response from daemon/i },
];

/** Patterns the log scanner should keep lines for, so the tool can be read after the scan. */
export const clientToolPatterns: readonly RegExp[] = TOOL_SIGNALS.map((signal) => signal.pattern);

/** The client tool the lines show, the most specific wording first; undefined when none says. */
export function detectClientTool(lines: Iterable<string>): ClientTool | undefined {
  const seen = new Set<ClientTool>();
  for (const line of lines) {
    for (const { tool, pattern } of TOOL_SIGNALS) if (!seen.has(tool) && pattern.test(line)) seen.add(tool);
  }
  return TOOL_SIGNALS.find(({ tool }) => seen.has(tool))?.tool;
}
