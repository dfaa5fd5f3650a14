/**
 * What each programme is and the evidence behind it, for card details (clinical brief 1). Links go to the trials'
 * DOIs and registrations.
 */
export interface ProgrammeContent {
  readonly code: 'more' | 'mbt' | 'cbt';
  readonly name: string;
  readonly format: string;
  readonly evidence: string;
}

const ZGIERSKA =
  'Zgierska AE et al. Mindfulness vs cognitive behavioral therapy for chronic low back pain treated with opioids: a randomized clinical trial. JAMA Netw Open 2025;8(4):e253204 ([doi:10.1001/jamanetworkopen.2025.3204](https://doi.org/10.1001/jamanetworkopen.2025.3204); [NCT03115359](https://clinicaltrials.gov/study/NCT03115359)): 770 adults; pain, function and quality of life improved and opioid dose fell at 6 and 12 months; MBT non-inferior to CBT, neither superior.';

export const PROGRAMMES: Readonly<Record<'more' | 'mbt' | 'cbt', ProgrammeContent>> = {
  more: {
    code: 'more',
    name: 'Mindfulness-Oriented Recovery Enhancement (MORE)',
    format:
      '8 weekly 2-hour groups of mindfulness, reappraisal and savoring training with daily home practice. The benefit on misuse was shown with in-person groups (a video-delivered version for veterans cut dose but improved misuse only in person).',
    evidence:
      'Garland EL et al. Mindfulness-Oriented Recovery Enhancement vs supportive group therapy for co-occurring opioid misuse and chronic pain in primary care: a randomized clinical trial. JAMA Intern Med 2022;182(4):407-417 ([doi:10.1001/jamainternmed.2022.0033](https://doi.org/10.1001/jamainternmed.2022.0033); [NCT02602535](https://clinicaltrials.gov/study/NCT02602535)): 250 adults on long-term opioids who misused them; 45.0% vs 24.4% no longer misusing at 9 months, with less pain, dose, distress and craving.',
  },
  mbt: {
    code: 'mbt',
    name: 'Mindfulness-based therapy (MBT)',
    format: '8 weekly 2-hour therapist-led groups with home practice; telehealth delivery is supported.',
    evidence: ZGIERSKA,
  },
  cbt: {
    code: 'cbt',
    name: 'Cognitive behavioural therapy (CBT) for chronic pain',
    format: '8 weekly 2-hour therapist-led groups with home practice; telehealth delivery is supported.',
    evidence: ZGIERSKA,
  },
};
