"""The closed vocabulary of clinical meanings cnopad reasons about.

Codes from many systems (ICD-10, SNOMED CT, ICPC, ATC, LOINC, local) map to these concepts through
the value sets in ``cnopad/knowledge/valuesets``; rules only ever ask for concepts, never for codes.
"""

from __future__ import annotations

from enum import StrEnum


class Concept(StrEnum):
    """A clinical meaning recognised in a record entry."""

    # --- the CNO diagnosis and its forms
    CNO = "cno"  # chronic non-bacterial osteomyelitis, form not stated
    CNO_SCCH = "cno_scch"  # adult form: sternocostoclavicular hyperostosis
    SAPHO = "sapho"  # synovitis, acne, pustulosis, hyperostosis, osteitis
    CRMO = "crmo"  # chronic recurrent multifocal osteomyelitis (childhood form)

    # --- skin and joint manifestations
    PALMOPLANTAR_PUSTULOSIS = "palmoplantar_pustulosis"
    SEVERE_ACNE = "severe_acne"
    PSORIASIS = "psoriasis"
    HIDRADENITIS = "hidradenitis"
    ARTHRITIS = "arthritis"
    SACROILIITIS = "sacroiliitis"

    # --- earlier (mis)diagnoses and differential diagnoses
    TIETZE = "tietze"
    COSTOCHONDRITIS = "costochondritis"
    OSTEOARTHRITIS = "osteoarthritis"
    FIBROMYALGIA = "fibromyalgia"
    CHEST_WALL_COMPLAINT = "chest_wall_complaint"
    SHOULDER_COMPLAINT = "shoulder_complaint"
    BACTERIAL_OSTEOMYELITIS = "bacterial_osteomyelitis"
    JUVENILE_ARTHRITIS = "juvenile_arthritis"
    BONE_TUMOUR = "bone_tumour"
    CNO_MIMIC = "cno_mimic"  # hypophosphatasia, Camurati-Engelmann, pachydermoperiostosis, histiocytosis

    # --- complications and disease-related risks
    THORACIC_OUTLET_SYNDROME = "thoracic_outlet_syndrome"
    SUBCLAVIAN_VEIN_THROMBOSIS = "subclavian_vein_thrombosis"
    JAW_OSTEONECROSIS = "jaw_osteonecrosis"
    VERTEBRAL_COMPRESSION = "vertebral_compression"

    # --- comorbidity relevant to drug safety
    PEPTIC_ULCER = "peptic_ulcer"
    HEART_FAILURE = "heart_failure"
    RENAL_IMPAIRMENT = "renal_impairment"
    CHRONIC_PAIN = "chronic_pain"  # suspicion of chronic pain not explained by disease activity
    LATENT_TUBERCULOSIS = "latent_tuberculosis"
    HEPATITIS_B = "hepatitis_b"

    # --- drug classes (ATC)
    NSAID = "nsaid"
    BISPHOSPHONATE = "bisphosphonate"
    PAMIDRONATE = "pamidronate"
    TNF_INHIBITOR = "tnf_inhibitor"
    SYSTEMIC_CORTICOSTEROID = "systemic_corticosteroid"
    METHOTREXATE = "methotrexate"
    SULFASALAZINE = "sulfasalazine"
    PROTON_PUMP_INHIBITOR = "proton_pump_inhibitor"
    ANTITHROMBOTIC = "antithrombotic"
    SSRI = "ssri"
    PARACETAMOL = "paracetamol"
    ANTIBIOTIC = "antibiotic"

    # --- vaccines
    VACCINE = "vaccine"
    LIVE_VACCINE = "live_vaccine"

    # --- laboratory tests
    CRP = "crp"
    ESR = "esr"
    ALKALINE_PHOSPHATASE = "alkaline_phosphatase"
    CREATININE = "creatinine"
    FULL_BLOOD_COUNT = "full_blood_count"
    CALCIUM = "calcium"
    VITAMIN_D = "vitamin_d"
    RHEUMATOID_FACTOR = "rheumatoid_factor"
    BLOOD_TEST = "blood_test"  # any blood test: counts for the child's monitoring
    URINE_TEST = "urine_test"  # any urine test: counts for the child's monitoring
    TB_SCREENING = "tb_screening"  # IGRA, tuberculin skin test or a screening procedure
    HBV_SCREENING = "hbv_screening"  # hepatitis B serology (HBsAg, anti-HBc)

    # --- scores and status observations
    PAIN_SCORE = "pain_score"
    SMOKING_STATUS = "smoking_status"
    CURRENT_SMOKER = "current_smoker"
    EX_SMOKER = "ex_smoker"
    NEVER_SMOKED = "never_smoked"
    PREGNANCY_STATUS = "pregnancy_status"
    PREGNANT = "pregnant"
    NOT_PREGNANT = "not_pregnant"
    PREGNANCY_WISH = "pregnancy_wish"
    WORK_SITUATION = "work_situation"
    WORKING = "working"
    WORK_PROBLEM = "work_problem"
    SICK_LEAVE = "sick_leave"
    NOT_WORKING = "not_working"
    PSYCHOSOCIAL_BURDEN = "psychosocial_burden"
    FATIGUE = "fatigue"
    DISEASE_ACTIVITY = "disease_activity"
    ACTIVE_DISEASE = "active_disease"
    REMISSION = "remission"
    FLARE = "flare"
    NEW_COMPLAINT = "new_complaint"
    SUPPORT_REQUESTED = "support_requested"

    # --- symptoms and signs
    PAIN = "pain"
    NIGHT_PAIN = "night_pain"
    SWELLING = "swelling"
    REDUCED_SHOULDER_MOBILITY = "reduced_shoulder_mobility"
    ARM_OEDEMA = "arm_oedema"
    DISTENDED_VEINS = "distended_veins"
    ARM_SENSORY_LOSS = "arm_sensory_loss"
    ARM_WEAKNESS = "arm_weakness"
    FEVER = "fever"
    FLU_LIKE_SYMPTOMS = "flu_like_symptoms"
    JAW_COMPLAINT = "jaw_complaint"  # jaw pain, swelling, inflammation or loose teeth
    INFUSION_SITE_COMPLAINT = "infusion_site_complaint"
    LIMPING = "limping"

    # --- imaging
    IMAGING = "imaging"
    XRAY = "xray"
    CT = "ct"
    SPECT_CT = "spect_ct"
    PET = "pet"
    MRI = "mri"
    WHOLE_BODY_MRI = "whole_body_mri"
    BONE_SCINTIGRAPHY = "bone_scintigraphy"
    NUCLEAR_IMAGING = "nuclear_imaging"  # SPECT-CT, PET, scintigraphy: shows bone remodelling activity
    IMAGING_ACTIVITY = "imaging_activity"
    IMAGING_NO_ACTIVITY = "imaging_no_activity"
    OSTEOLYTIC_LESION = "osteolytic_lesion"
    SOFT_TISSUE_INVOLVEMENT = "soft_tissue_involvement"
    HYPEROSTOSIS = "hyperostosis"
    SCLEROSIS = "sclerosis"
    TUMOUR_NOT_EXCLUDED = "tumour_not_excluded"
    IMAGING_NORMAL = "imaging_normal"

    # --- biopsy
    BONE_BIOPSY = "bone_biopsy"
    BIOPSY_CONSISTENT_WITH_CNO = "biopsy_consistent_with_cno"
    BIOPSY_TUMOUR = "biopsy_tumour"
    BIOPSY_INFECTION = "biopsy_infection"
    BIOPSY_NONSPECIFIC = "biopsy_nonspecific"

    # --- procedures, screenings and care actions
    DENTAL_CHECK = "dental_check"
    INVASIVE_DENTAL_PROCEDURE = "invasive_dental_procedure"
    CHEST_XRAY = "chest_xray"
    PHYSIOTHERAPY = "physiotherapy"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    PAIN_REHABILITATION = "pain_rehabilitation"
    SMOKING_CESSATION_SUPPORT = "smoking_cessation_support"
    OUT_OF_HOURS_SUMMARY_SHARED = "out_of_hours_summary_shared"
    PATIENT_ASSOCIATION_INFORMED = "patient_association_informed"
    TASK_DIVISION_AGREED = "task_division_agreed"
    POLICY_AGREED = "policy_agreed"
    EXPECTATIONS_DISCUSSED = "expectations_discussed"
    FIRST_CONTACT_ROLE_EXPLAINED = "first_contact_role_explained"
    DIAGNOSIS_ACCEPTANCE_DISCUSSED = "diagnosis_acceptance_discussed"
    PRE_DIAGNOSIS_EXPERIENCE_DISCUSSED = "pre_diagnosis_experience_discussed"
    COORDINATOR_DISCUSSED = "coordinator_discussed"

    # --- referral targets
    REFERRAL_EXPERTISE_CENTRE = "referral_expertise_centre"
    REFERRAL_INTERNIST_ENDOCRINOLOGIST = "referral_internist_endocrinologist"
    REFERRAL_RHEUMATOLOGIST = "referral_rheumatologist"
    REFERRAL_PAEDIATRIC_RHEUMATOLOGIST = "referral_paediatric_rheumatologist"
    REFERRAL_PHYSIOTHERAPY = "referral_physiotherapy"
    REFERRAL_OCCUPATIONAL_THERAPY = "referral_occupational_therapy"
    REFERRAL_PSYCHOLOGIST = "referral_psychologist"
    REFERRAL_MENTAL_HEALTH_NURSE = "referral_mental_health_nurse"  # POH-GGZ
    REFERRAL_SOCIAL_WORK = "referral_social_work"  # AMW
    REFERRAL_OCCUPATIONAL_PHYSICIAN = "referral_occupational_physician"  # bedrijfsarts
    REFERRAL_PAIN_REHABILITATION = "referral_pain_rehabilitation"
    REFERRAL_CHRONIC_PAIN_NETWORK = "referral_chronic_pain_network"
    REFERRAL_DENTIST = "referral_dentist"

    # --- contacts
    GP_CONTACT = "gp_contact"
    SPECIALIST_CONTACT = "specialist_contact"
    EXPERTISE_CENTRE_REVIEW = "expertise_centre_review"
    OUT_OF_HOURS_CONTACT = "out_of_hours_contact"

    # --- treatment goals
    GOAL_LESS_PAIN = "goal_less_pain"
    GOAL_BETTER_FUNCTIONING = "goal_better_functioning"
    GOAL_QUALITY_OF_LIFE = "goal_quality_of_life"


#: the concepts that identify a CNO diagnosis (any form)
CNO_DIAGNOSIS = frozenset({Concept.CNO, Concept.CNO_SCCH, Concept.SAPHO, Concept.CRMO})

#: the drugs the sources name as CNO treatment (for "on CNO medication")
CNO_MEDICATION = frozenset(
    {
        Concept.NSAID,
        Concept.BISPHOSPHONATE,
        Concept.TNF_INHIBITOR,
        Concept.SYSTEMIC_CORTICOSTEROID,
        Concept.METHOTREXATE,
        Concept.SULFASALAZINE,
    }
)

#: drugs after which a live vaccine needs the treating physician first (CRMO-VACCINATION-1)
IMMUNOSUPPRESSANTS_FOR_LIVE_VACCINES = frozenset(
    {Concept.SYSTEMIC_CORTICOSTEROID, Concept.METHOTREXATE, Concept.TNF_INHIBITOR}
)
