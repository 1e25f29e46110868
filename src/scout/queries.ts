// The Scout GraphQL documents, one named operation each, selecting only what hub_scout returns.
// Field and argument names follow ../shared/specs/scout-schema.graphql; a contract test validates
// every document in SCOUT_QUERIES against that schema.

export interface ScoutQuery {
  /** The operation name, sent as `operationName` (fakes and msw handlers match on it). */
  readonly name: string;
  readonly document: string;
}

const query = (name: string, document: string): ScoutQuery => ({ name, document: document.trim() });

const COUNTS = 'critical high medium low unspecified total';

const IMAGE = `
  digest
  mediaType
  createdAt
  sbomState
  packageCount
  layerCount
  compressedSize
  platform { os architecture variant }
  tags { name current }
  vulnerabilityReport { ${COUNTS} }
  baseImage { digest repository { hostName repoName } }
  baseImageTag { name }`;

/** One entry for an image digest, one per child for an index. */
export const IMAGE_DETAILS_LIST = query(
  'ImageDetailsList',
  `query ImageDetailsList($context: Context!, $digest: String!, $repository: String) {
  imageDetailsListByDigest(context: $context, digest: $digest, repository: $repository) {${IMAGE}
  }
}`,
);

const VULN = `
  sourceId
  source
  url
  fixedBy
  cisaExploited
  isExcepted
  cvss { severity score }
  epss { score percentile }
  vexStatements { status }`;

/** Packages of one image with their vulnerabilities (the way Docker's policy engine reads them). */
export const IMAGE_VULNERABILITIES = query(
  'ImageVulnerabilities',
  `query ImageVulnerabilities($context: Context!, $digest: String!) {
  imagePackagesByDigest(context: $context, digest: $digest) {
    digest
    sbomState
    imagePackages {
      packages {
        package {
          name
          version
          type
          purl
          vulnerabilities {${VULN}
          }
        }
      }
    }
  }
}`,
);

/** Packages of one image with licenses and the layer each was found in (the SBOM). */
export const IMAGE_PACKAGES = query(
  'ImagePackages',
  `query ImagePackages($context: Context!, $digest: String!) {
  imagePackagesByDigest(context: $context, digest: $digest) {
    digest
    sbomState
    imagePackages {
      packages {
        package { name version type purl licenses }
        locations { path diffId }
      }
    }
    imageLayers { layers { diffId ordinal } }
  }
}`,
);

const TAG = `
  tag { name }
  tags
  createdAt
  packageCount
  imageSize
  vulnerabilityReport { ${COUNTS} }
  scoring { total summary }`;

/** Base-image tag advice for every tag the digest was ever known as. */
export const TAG_RECOMMENDATIONS = query(
  'TagRecommendations',
  `query TagRecommendations($context: Context!, $digest: String!, $repository: String) {
  tagRecommendationsByDigest(context: $context, digest: $digest, repository: $repository) {
    repository { name }
    recommendations {
      currentTag {${TAG}
      }
      recommendedTags {${TAG}
      }
    }
  }
}`,
);

export const CVE_SOURCES = query(
  'CveSources',
  `query CveSources($context: Context!, $query: ScCVESourcesQuery!) {
  cveSources(context: $context, query: $query) {
    cveId
    defaultSource
    epss { score percentile priority }
    sources {
      source
      sourceId
      url
      description
      createdAt
      updatedAt
      withdrawnAt
      state
      cvss { severity score vector version }
      cwes { cweId }
      packages { name type namespace versions { vulnerableRange fixedBy } }
      advisories
    }
  }
}`,
);

export const IMAGES_AFFECTED_BY_CVE = query(
  'ImagesAffectedByCve',
  `query ImagesAffectedByCve($context: Context!, $query: ScImagesAffectedByCVEQuery!) {
  imagesAffectedByCVE(context: $context, query: $query) {
    paging { totalCount }
    packageCount
    items {
      affectedImage {
        digest
        createdAt
        repository { hostName repoName }
        tags { name current }
        platform { os architecture variant }
      }
      affectedPackages { name version type purl }
    }
  }
}`,
);

const RESULT = 'statusLabel deviationCount isStale';

/** Policy results for one image digest. */
export const POLICY_RESULTS = query(
  'PolicyResults',
  `query PolicyResults($context: Context!, $query: GoalResultsQuery!) {
  goalResultsByDigest(context: $context, query: $query) {
    digest
    createdAt
    platform { os architecture variant }
    repository { hostName repoName }
    policies {
      definitionName
      configurationName
      displayName
      evaluated
      ... on ScVulnerabilityPolicy {
        currentResult { ${RESULT} deviations { id vulnerability purl severity fixedBy } }
      }
      ... on ScLicencePolicy {
        currentResult { ${RESULT} deviations { id purl license } }
      }
      ... on ScGenericPolicy {
        currentResult { ${RESULT} deviations { id details { displayName value } } }
      }
      ... on ScBooleanPolicy {
        currentResult { statusLabel hasDeviation isStale }
      }
    }
  }
}`,
);

/** The organization's policies with compliance counts per stream. */
export const POLICY_SUMMARIES = query(
  'PolicySummaries',
  `query PolicySummaries($context: Context!, $query: PolicySummaryQuery!) {
  goalResultSummaries(context: $context, query: $query) {
    items {
      stream
      totalImages
      compliantImages
      unknownImages
      totalDeviations
      policy { definitionName configurationName displayName resultType enabled remediationLink }
    }
  }
}`,
);

export const ORGANIZATION_STATUS = query(
  'OrganizationStatus',
  `query OrganizationStatus($context: Context!) {
  organizationStatus(context: $context) {
    hasImageAnalysisEnabled
    hasAnalyzedImages
    hasEverAnalyzedImages
    lastRepoEnablementChangeAt
  }
}`,
);

export const REPO_FEATURES = query(
  'RepoFeatures',
  `query RepoFeatures($context: Context!, $repoName: String!, $hostName: String) {
  repoFeatures(context: $context, repoName: $repoName, hostName: $hostName) {
    vulnerabilityReporting { enabled }
  }
}`,
);

/** Every document, for the schema contract test. */
export const SCOUT_QUERIES: readonly ScoutQuery[] = [
  IMAGE_DETAILS_LIST,
  IMAGE_VULNERABILITIES,
  IMAGE_PACKAGES,
  TAG_RECOMMENDATIONS,
  CVE_SOURCES,
  IMAGES_AFFECTED_BY_CVE,
  POLICY_RESULTS,
  POLICY_SUMMARIES,
  ORGANIZATION_STATUS,
  REPO_FEATURES,
];
