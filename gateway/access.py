"""Who may call which operation: the design, in one table (operation → roles allowed by their role).

A role outside an operation's set must be refused with ROLE_NOT_ALLOWED before any record is looked up; a
role inside it may still get COUNTY_FORBIDDEN / PROVIDER_FORBIDDEN or a not-found code for records outside its
scope (another county's enterprise answers like a missing one). Reads that every role may call are scoped
by the services (a county sees its county, an enterprise itself, a provider itself).
`tests/test_gateway_matrix.py` checks every role against this table through the real services; the
services own the checks, this table does not enforce anything.
"""

from szcore.auth import Role

CITY = Role.city_admin
COUNTY = Role.county_admin
ENTERPRISE = Role.enterprise
PROVIDER = Role.provider
EXPERT = Role.expert
EVALUATOR = Role.evaluator
AUDITOR = Role.auditor
NATIONAL = Role.national_platform
COUNTY_SYSTEM = Role.county_system

EVERYONE = frozenset(Role)
NOT_PROVIDERS = EVERYONE - {PROVIDER}
OFFICIALS = frozenset({CITY, COUNTY, AUDITOR, NATIONAL})
CITY_ONLY = frozenset({CITY})
ENTERPRISE_ONLY = frozenset({ENTERPRISE})
PROVIDER_ONLY = frozenset({PROVIDER})
EXPERT_ONLY = frozenset({EXPERT})
# Who applies (and resubmits, withdraws); reviews are decided by the roles a programme's steps name.
APPLICANTS = frozenset({ENTERPRISE, COUNTY, COUNTY_SYSTEM})
LEDGER_READERS = frozenset({CITY, AUDITOR, NATIONAL})
CLAIM_READERS = frozenset({CITY, COUNTY, ENTERPRISE, AUDITOR, NATIONAL, COUNTY_SYSTEM})
ENGAGEMENT_READERS = EVERYONE - {EXPERT}
LEVEL_READERS = frozenset({CITY, COUNTY, EXPERT, AUDITOR, NATIONAL})

ACCESS: dict[str, frozenset[Role]] = {
    # enrollment
    "query.enterprise": EVERYONE,
    "query.enterprises": NOT_PROVIDERS,
    "query.enterprisesExport": NOT_PROVIDERS,
    "query.programmes": EVERYONE,
    "query.programme": EVERYONE,
    "query.programmeProgress": EVERYONE - {ENTERPRISE, PROVIDER},
    "query.applications": NOT_PROVIDERS,
    "query.application": NOT_PROVIDERS,
    "query.admissionFunnel": NOT_PROVIDERS,
    "query.experts": frozenset({CITY, AUDITOR}),
    "query.expertsPage": frozenset({CITY, AUDITOR}),
    "query.expertDraw": EVERYONE,
    "mutation.registerEnterprise": frozenset({CITY, COUNTY, COUNTY_SYSTEM}),
    "mutation.updateEnterprise": frozenset({CITY, COUNTY, ENTERPRISE, COUNTY_SYSTEM}),
    "mutation.pushEnterprises": frozenset({CITY, COUNTY, COUNTY_SYSTEM}),
    "mutation.seedProgrammes": CITY_ONLY,
    "mutation.configureProgramme": CITY_ONLY,
    "mutation.submitApplication": APPLICANTS,
    "mutation.reviewApplication": frozenset({CITY, COUNTY, EXPERT}),
    "mutation.resubmitApplication": APPLICANTS,
    "mutation.startPublicNotice": CITY_ONLY,
    "mutation.admitApplication": CITY_ONLY,
    "mutation.withdrawApplication": APPLICANTS | CITY_ONLY,
    "mutation.disqualifyApplication": CITY_ONLY,
    "mutation.transferApplication": CITY_ONLY,
    "mutation.replaceApplication": CITY_ONLY,
    "mutation.raiseObjection": frozenset({CITY, COUNTY, ENTERPRISE, PROVIDER, EXPERT, AUDITOR}),
    "mutation.resolveObjection": CITY_ONLY,
    "mutation.createExpert": CITY_ONLY,
    "mutation.linkExpert": CITY_ONLY,
    "mutation.drawExperts": CITY_ONLY,
    "mutation.awardDesignation": CITY_ONLY,
    # assessment
    "query.indexVersions": EVERYONE,
    "query.indexVersion": EVERYONE,
    "query.assessment": EVERYONE,
    "query.assessments": EVERYONE,
    "query.scorePreview": EVERYONE,
    "query.enterpriseReport": EVERYONE,
    "query.programmeLevels": LEVEL_READERS,
    "query.enterprisesBelowTarget": LEVEL_READERS,
    "query.enterprisesBelowTargetPage": LEVEL_READERS,
    "query.acceptanceQueue": frozenset({CITY, COUNTY, EXPERT, EVALUATOR, AUDITOR}),
    "query.revisitDraws": EVERYONE - {ENTERPRISE, PROVIDER, COUNTY_SYSTEM},
    "query.revisitDrawsPage": EVERYONE - {ENTERPRISE, PROVIDER, COUNTY_SYSTEM},
    "query.revisitDraw": EVERYONE - {ENTERPRISE, PROVIDER, COUNTY_SYSTEM},
    "query.scenarioGroups": EVERYONE,
    # The generated call is a self-assessment (the enterprise's); a diagnosis is the provider's, an
    # acceptance the evaluator's (tests/test_assessment_gateway_e2e.py).
    "mutation.createAssessment": ENTERPRISE_ONLY,
    "mutation.updateAssessment": frozenset({ENTERPRISE, PROVIDER, EVALUATOR}),
    "mutation.submitAssessment": frozenset({ENTERPRISE, PROVIDER, EVALUATOR}),
    "mutation.signOffAssessment": frozenset({EVALUATOR}),
    "mutation.loadIndexVersion": CITY_ONLY,
    "mutation.retireIndexVersion": CITY_ONLY,
    "mutation.drawRevisits": CITY_ONLY,
    "mutation.recordRevisitFinding": frozenset({CITY, EXPERT, EVALUATOR}),
    # matching
    "query.providers": EVERYONE,
    "query.provider": EVERYONE,
    "query.providerReviews": frozenset({CITY, EXPERT, AUDITOR}),
    "query.providerReviewsPage": frozenset({CITY, EXPERT, AUDITOR}),
    "query.providerRatings": EVERYONE,
    "query.providerRatingsPage": EVERYONE,
    "query.providerRatingFacts": EVERYONE,
    "query.prospects": frozenset({CITY, PROVIDER}),
    "query.prospectsPage": frozenset({CITY, PROVIDER}),
    "query.solutions": EVERYONE,
    "query.solution": EVERYONE,
    "query.solutionReviews": frozenset({CITY, EXPERT, AUDITOR}),
    "query.solutionReviewsPage": frozenset({CITY, EXPERT, AUDITOR}),
    "query.solutionRatings": EVERYONE,
    "query.solutionRatingsPage": EVERYONE,
    "query.commonNeeds": EVERYONE,
    "query.needs": EVERYONE,
    "query.needsPage": EVERYONE,
    "query.matches": frozenset({CITY, COUNTY, ENTERPRISE, AUDITOR}),
    "query.engagements": ENGAGEMENT_READERS,
    "query.engagement": ENGAGEMENT_READERS,
    "query.transformationProject": ENGAGEMENT_READERS,
    "query.activities": EVERYONE,
    "query.activity": EVERYONE,
    "query.activityRegistrations": frozenset({CITY, COUNTY, AUDITOR}),
    "query.activityRegistrationsPage": frozenset({CITY, COUNTY, AUDITOR}),
    "query.activityStats": OFFICIALS,
    "query.matchingRule": EVERYONE,
    "mutation.applyProvider": PROVIDER_ONLY,
    "mutation.reviewProvider": EXPERT_ONLY,
    "mutation.decideProvider": CITY_ONLY,
    "mutation.listProvider": CITY_ONLY,
    "mutation.signConfidentiality": PROVIDER_ONLY,
    "mutation.changeProviderStatus": CITY_ONLY,
    "mutation.rateProvider": CITY_ONLY,
    "mutation.submitSolution": PROVIDER_ONLY,
    "mutation.reviewSolution": EXPERT_ONLY,
    "mutation.listSolution": CITY_ONLY,
    "mutation.decideSolution": CITY_ONLY,
    "mutation.rateSolution": ENTERPRISE_ONLY,
    "mutation.selectExcellentSolution": CITY_ONLY,
    "mutation.addNeed": frozenset({CITY, COUNTY, ENTERPRISE}),
    "mutation.closeNeed": frozenset({CITY, COUNTY, ENTERPRISE}),
    "mutation.publishMatchingRule": CITY_ONLY,
    "mutation.createEngagement": frozenset({CITY, COUNTY, ENTERPRISE}),
    "mutation.submitPlan": PROVIDER_ONLY,
    "mutation.decidePlan": ENTERPRISE_ONLY,
    "mutation.signContract": ENTERPRISE_ONLY,
    "mutation.completeDiagnosis": ENTERPRISE_ONLY,
    "mutation.cancelEngagement": frozenset({CITY, ENTERPRISE}),
    "mutation.reportMilestone": PROVIDER_ONLY,
    "mutation.confirmMilestone": ENTERPRISE_ONLY,
    "mutation.completeProject": ENTERPRISE_ONLY,
    "mutation.createActivity": frozenset({CITY, COUNTY}),
    "mutation.registerForActivity": frozenset({CITY, COUNTY, ENTERPRISE, PROVIDER}),
    "mutation.recordAttendance": frozenset({CITY, COUNTY}),
    "mutation.recordActivityOutcome": frozenset({CITY, COUNTY}),
    # funding
    "query.policyPresets": EVERYONE,
    "query.fundingPolicies": EVERYONE,
    "query.fundingPolicy": EVERYONE,
    "query.fundingPolicyVersions": EVERYONE,
    "query.subsidyQuote": EVERYONE,
    "query.enterpriseSubsidyQuote": EVERYONE,
    "query.programmeSimulation": frozenset({CITY, AUDITOR}),
    "query.fundingSources": LEDGER_READERS,
    "query.ledgerEntries": LEDGER_READERS,
    "query.ledgerCheck": LEDGER_READERS,
    "query.claims": CLAIM_READERS,
    "query.claim": CLAIM_READERS,
    "query.payments": frozenset({CITY, ENTERPRISE, AUDITOR}),
    "query.paymentsPage": frozenset({CITY, ENTERPRISE, AUDITOR}),
    "query.disbursementBatches": frozenset({CITY, AUDITOR}),
    "query.disbursementBatchesPage": frozenset({CITY, AUDITOR}),
    "query.disbursementBatch": frozenset({CITY, AUDITOR}),
    "query.bankFile": frozenset({CITY, AUDITOR}),
    "query.recoveries": frozenset({CITY, ENTERPRISE, AUDITOR}),
    "query.recoveriesPage": frozenset({CITY, ENTERPRISE, AUDITOR}),
    "query.fundsReport": OFFICIALS,
    "query.enterpriseFundingStatement": EVERYONE,
    "mutation.publishFundingPolicy": CITY_ONLY,
    "mutation.publishFundingPreset": CITY_ONLY,
    "mutation.createFundingSource": CITY_ONLY,
    "mutation.allocateFunds": CITY_ONLY,
    "mutation.submitClaim": frozenset({COUNTY, ENTERPRISE}),
    # The generated call is the county step; the city's step is checked in services/funding/tests.
    "mutation.reviewClaim": frozenset({COUNTY}),
    "mutation.recordClaimAudit": frozenset({CITY, AUDITOR}),
    "mutation.approveClaim": CITY_ONLY,
    "mutation.clawBackClaim": CITY_ONLY,
    "mutation.createDisbursementBatch": CITY_ONLY,
    "mutation.reconcileDisbursementBatch": CITY_ONLY,
    "mutation.repayRecovery": CITY_ONLY,
    # performance reporting and national sync
    "query.fundingPerformance": OFFICIALS,
    "query.programmePerformance": OFFICIALS,
    "query.countyRanking": OFFICIALS,
    "query.nationalReports": CITY_ONLY,
    "query.nationalReport": CITY_ONLY,
    "query.nationalReconciliations": CITY_ONLY,
    "query.nationalSyncStatus": CITY_ONLY,
    "mutation.generateNationalReport": CITY_ONLY,
    "mutation.resendNationalReport": CITY_ONLY,
    "mutation.reconcileNational": CITY_ONLY,
}
