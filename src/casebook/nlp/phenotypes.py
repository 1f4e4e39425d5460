"""Phenotype coding: HPO terms for mentions and for the case, the patient's own findings.

``PhenotypeCoder`` runs after ``assertion`` and works in two steps:

1. **Mentions.** Each finding mention (``mention_types`` in ``phenotypes.json``) gets its best
   HPO candidates from the ``CandidateGenerator`` on ``Mention.codes``, when they score at least
   ``mention_threshold`` and no more than ``max_senses`` concepts tie for the best score. The
   findings a mention extractor misses are mentions too: ``casebook.nlp.vocabulary`` adds one
   for each HPO alias the text names where no mention is (``phenotype_matches``).
2. **Case.** Every coded mention is evidence for its concept, with a weight: zero unless the
   finding is the patient's and stated, now or in the past (``excluded_assertions``: a
   phenotype is a trait of the patient's, and seizures in childhood are one of a 10-year-old's
   profile, while the ICD-10-CM codes and the summary's diagnoses are today's), otherwise the
   match score times the weight of its section (a case presentation counts more than a discussion,
   references not at all) times ``literature_weight`` when its sentence speaks of other
   patients or the literature ("et al.", "[12]", "has been reported": the cues of
   ``resources/literature.json``, shared with the clinical summary). Weights combine by
   noisy-or, ``1 - Π(1 - w)``, so repeated evidence raises confidence. Concepts reaching
   ``accept_threshold`` become ``Case.codes``; a concept is then pruned when one of its
   accepted descendants is more specific, concepts too near the root (``min_depth``) are dropped
   as uninformative, and one named like an ontology grouping class (``grouping_names``:
   "Abnormal heart morphology") gives way to an accepted defect it groups, which curators
   name instead.

Every knob is data in ``resources/phenotypes.json``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from os.path import commonprefix
from pathlib import Path

from pydantic import Field, field_validator

from casebook.caseless import fold
from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import (
    AliasMatch,
    Candidate,
    CandidateGenerator,
    KnowledgeBase,
    LinkingPolicy,
    normalize_alias,
    normalize_token,
    normalize_tokens,
)
from casebook.kb.heads import head_word, load_head_words
from casebook.kb.hpo import PHENOTYPIC_ABNORMALITY, load_hpo
from casebook.kb.icd10cm import Icd10cmVocabulary, alias_words, content_words, load_icd10cm
from casebook.kb.nonclinical import default_non_clinical
from casebook.model import (
    Assertion,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Pattern,
    Patterns,
    RecordModel,
    Section,
    Span,
)
from casebook.nlp.abbreviations import is_short_form
from casebook.nlp.literature import holds_literature_cue, is_legend
from casebook.resources import load_rules


class OrganSense(RecordModel):
    """The words telling which organ a finding named by an organ-ambiguous word is of."""

    own_words: list[str] = Field(
        description="Words naming the concept's own organ or a test of it ('brain', 'head')."
    )
    other_words: list[str] = Field(
        min_length=1,
        description="Words naming another organ the finding's words may be of, or a test of "
        "it ('heart', 'echocardiogram').",
    )
    narrower: bool = Field(
        default=True,
        description="Whether the concepts below it are read alike; false where they name "
        "their own site (Edema's 'Macular edema', 'Peripheral edema').",
    )


class NormalValue(RecordModel):
    """The values of a measure within normal for every age: a finding whose name says the
    measure is beyond them is not told by words giving only such values."""

    unit: Pattern = Field(
        min_length=1,
        description="Regular expression (case-insensitive) of the measure's unit, right after "
        "a number ('beats/min', 'bpm', '°C').",
    )
    normal_below: float = Field(
        description="The value below which the measure is normal at every age ('90' beats a "
        "minute: a child's normal heart rate is higher than an adult's, none lower)."
    )
    other_measures: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) of words naming another measure "
        "given in the same unit ('respiratory rate 22/min'): a value after one is not this "
        "measure's.",
    )
    adults_only: bool = Field(
        default=False,
        description="Whether the values are normal for adults only: a blood pressure of "
        "'110/70 mmHg' is an adult's normal and a young child's high one. Such values gainsay "
        "the finding only in a patient of ``adult_age_years`` or more.",
    )


class PhenotypeRules(RecordModel):
    """The schema of ``phenotypes.json``: the linking and acceptance policy."""

    version: str = Field(min_length=1)
    mention_types: list[EntityType] = Field(description="Mention types linked to HPO.")
    mention_threshold: float = Field(ge=0.0, le=1.0, description="Least candidate score.")
    min_alias_chars: int = Field(ge=1, description="Shorter aliases are never matched.")
    case_sensitive_chars: int = Field(
        ge=0, description="Aliases this short must match the vocabulary's spelling exactly."
    )
    max_senses: int = Field(
        ge=1, description="Text matches of an alias naming more concepts are ignored."
    )
    excluded_assertions: list[Assertion] = Field(
        description="Evidence with these assertions counts for nothing."
    )
    section_weights: dict[str, float] = Field(description="Section kind → evidence weight.")
    default_section_weight: float = Field(ge=0.0, le=1.0)
    literature_weight: float = Field(ge=0.0, le=1.0)
    accept_threshold: float = Field(ge=0.0, le=1.0)
    min_depth: int = Field(ge=0, description="Concepts nearer the root are not coded.")
    grouping_names: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-sensitive) on a concept's name marking an "
        "ontology grouping class such as 'Abnormal heart morphology'; such a concept is "
        "not coded when a concept it groups is ('congenital heart defects' alone are one).",
    )
    prune_ancestors: bool = True
    name_qualifiers: list[str] = Field(
        default_factory=list,
        description="Words that, in a concept's name, claim what a finding's words must say "
        "too: 'CSF leak' is not coded 'Spontaneous cerebrospinal fluid leak' (one of its "
        "synonyms), since the text does not say the leak was spontaneous.",
    )
    qualifier_equivalents: dict[str, list[str]] = Field(
        default_factory=dict,
        description="A name qualifier → phrases that say it without its word: 'frequent "
        "urinary tract infections' are recurrent ones, a 'grand mal' seizure is a bilateral "
        "tonic-clonic one, an 'end-stage' renal failure is chronic.",
    )
    other_senses: list[str] = Field(
        default_factory=list,
        description="Aliases that in case reports mostly mean something else than their "
        "phenotype: an everyday action ('cutting', 'jumping', 'ordering' of HPO's "
        "stereotypies and compulsions) or another sense ('tearing' of a dural tear, "
        "'aspiration' of fluid through a needle, the 'dullness' of a percussion, which HPO "
        "lists for Lethargy; an 'LFT', a liver function test, which it lists for Filum terminale "
        "lipoma; a drug 'hypersensitivity', a 'highly sensitive' assay or skin, "
        "which it lists for Emotional hypersensitivity; a 'dribbling' of urine, which it lists "
        "for Drooling; an 'occipital horn', which in case reports is the lateral ventricle's, "
        "not the bony outgrowth of HPO's Occipital horn; a 'malar prominence', the cheekbone a "
        "rash is told on, not HPO's prominent one; a 'PVL', Staphylococcus aureus's "
        "Panton-Valentine leukocidin or a paravalvular leak, which HPO lists for "
        "Periventricular leukomalacia; a 'spinal deformity', a scoliosis or a kyphosis, which "
        "it lists for Neuropathic spinal arthropathy). Alone they name no phenotype, neither "
        "found in the text nor as a mention's words; the longer aliases holding them "
        "('self-cutting') still do.",
    )
    other_sense_spellings: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) a finding's whole words match when "
        "they spell an alias in another sense than its concept's, where the alias's other "
        "spellings keep it: HPO's Falls is a tendency to fall, named in the plural ('falls', "
        "'recurrent falls'), and a single 'fall' ('a trivial fall') is one event ('a fall from "
        "height') or a decrease ('a fall in the mean pressure'); 'acnes' is the species of "
        "Propionibacterium acnes, no Acne. Such words stay a finding mention (a fall is still "
        "an event to code in ICD-10-CM) and carry no HPO concept.",
    )
    span_threshold: float = Field(
        ge=0.0,
        le=1.0,
        description="Least probability the HPO span scorer (resources/models/hpo) gives a "
        "phrase no alias spells exactly for it to be recognised as its nearest alias's concept.",
    )
    added_synonyms: dict[str, list[str]] = Field(
        default_factory=dict,
        description="HPO id → names clinicians write for the concept that HPO does not list, "
        "each a plain equivalent: 'decreased CSF pressure' for Decreased intracranial pressure, "
        "since the pressure of the cerebrospinal fluid is how intracranial pressure is "
        "measured. casebook's matcher reads them beside HPO's own synonyms; the HPO file is "
        "unchanged and exact matching, the evaluation's anchor, does not use them.",
    )
    name_inversions: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Regular expression (case-sensitive, on a whole concept name naming a "
        "body part) → names the concept also goes by in another word order: the part told "
        "first ('Abnormality of the eye' is an 'eye abnormality' or 'eye anomaly', 'Abnormal "
        "brain morphology' a 'brain abnormality'), or the change told as a noun before it "
        "('Enlarged kidney' an 'enlargement of the kidney', 'Duplicated collecting system' a "
        "'duplication of the collecting system'). A derived name that is already an alias is not "
        "added, nor one that two concepts derive unless one is the other's ancestor; like "
        "``added_synonyms``, exact matching, the evaluation's anchor, does not use them.",
    )
    site_adjective_endings: list[str] = Field(
        default_factory=list,
        description="Endings of the adjectives that HPO's own synonym pairs show naming a body "
        "part told by a noun after 'of' ('Nasal polyps' beside 'Polyps of nose', 'Humeral "
        "fracture' beside 'Fracture of the humerus'; '-al', '-ar', '-ic'). Each such pair "
        "derives, from every other alias the adjective begins, the name with the noun after "
        "'of' ('Axonal degeneration' has no 'degeneration of axons'), and from every alias "
        "ending 'of' the noun, the name with the adjective before. Derived names are held as "
        "``name_inversions`` hold theirs; exact matching, the evaluation's anchor, does not "
        "use them.",
    )
    ambiguous_site_adjectives: list[str] = Field(
        default_factory=list,
        description="Site adjectives (``site_adjective_endings``) of two body parts or senses, "
        "which derive no names: 'cervical' of the neck and of the uterine cervix (a "
        "'shortening of the cervix' is no Short neck), 'cranial' of the skull and of the "
        "cranial nerves, 'mental' of the mind and of the chin.",
    )
    change_stem_chars: int = Field(
        default=0,
        ge=0,
        description="The least letters that an adjective and a noun of one change must begin "
        "with alike ('hypoplastic' and 'hypoplasia', 'fused' and 'fusion'), where HPO's own "
        "synonym pairs show them so ('Hypoplastic eyelid' beside 'Hypoplasia of the eyelid'); "
        "each such pair derives, from every other alias the adjective begins, the name with "
        "the noun before 'of' ('Hypoplastic left heart' has no 'hypoplasia of the left "
        "heart'), and the reverse. They may differ in at most their last "
        "``CHANGE_ENDING_CHARS`` letters besides. 0 derives none. Derived names are held as "
        "``name_inversions`` hold theirs; exact matching, the evaluation's anchor, does not "
        "use them.",
    )
    quality_ending_chars: int = Field(
        default=0,
        ge=0,
        description="The most letters that the noun of a quality may have past those it "
        "shares with its adjective ('weak-ness', 'spastic-ity', 'fragil-ity'; at least "
        "``QUALITY_SUFFIX_CHARS``), where HPO's own "
        "synonym pairs show them so ('Stiff joints' beside 'Joint stiffness'), the two beginning "
        "with ``change_stem_chars`` letters alike and the adjective's own ending one letter at "
        "most; each such pair derives, from every alias the noun ends, the name with the "
        "adjective first ('Muscle weakness' is said 'weak muscles', 'Limb spasticity' 'spastic "
        "limbs'). 0 derives none. Derived names are held as "
        "``name_inversions`` hold theirs; exact matching, the evaluation's anchor, does not "
        "use them.",
    )
    absence_words: list[str] = Field(
        default_factory=list,
        description="Words saying a thing is missing ('absent'). An alias 'WORD or ABSENCE "
        "THING' ('Weak or absent deep tendon reflexes'; 'to', '/' as 'or'; either order) names "
        "a range ending in the thing's absence, so 'WORD THING' ('weak deep tendon reflexes') "
        "is one of its findings and derives the name, for the concept's child other than the "
        "absence where it has two (Hyporeflexia beside Areflexia), unless the concept's own "
        "name is two findings ('Aplasia/Hypoplasia of the spleen', 'Decreased/absent ankle "
        "reflexes'), a grouping of narrower concepts. Derived names are held as "
        "``name_inversions`` hold theirs; exact matching, the evaluation's anchor, does not "
        "use them.",
    )
    adjective_endings: dict[str, str] = Field(
        default_factory=dict,
        description="Ending of a one-word concept name or synonym → the ending of the adjective "
        "saying the same of a person ('ia' → 'ic': Hypotonia, 'hypotonic'; 'osis' → 'otic': "
        "Scoliosis, 'scoliotic'; 'tension' → 'tensive': Hypotension, 'hypotensive'), tried "
        "longest first. casebook's matcher reads a derived adjective that no alias spells as "
        "its concept's name, but only told of the patient (``copulas``): 'the infant was "
        "hypotonic', not 'hypotonic saline'. Like ``added_synonyms``, exact matching, the "
        "evaluation's anchor, does not use them.",
    )
    adjectiveless_endings: list[str] = Field(
        default_factory=list,
        description="Endings of names whose adjective in ``adjective_endings`` tells another "
        "thing: '-philic' tells a staining or an affinity ('the cytoplasm was eosinophilic'), "
        "not the count of cells that Eosinophilia names.",
    )
    copulas: list[str] = Field(
        default_factory=list,
        description="Verbs telling what a person is or seems ('was', 'appeared', 'became'): a "
        "derived adjective (``adjective_endings``) names its concept only as what such a verb "
        "tells, alone or in a list of single words ('was pale, tachycardic and hypotensive'), "
        "and ending its phrase or followed by an ``adjective_followers`` word; before a noun "
        "('hypotonic saline', 'eosinophilic infiltrate') it qualifies a thing, no finding.",
    )
    adjective_followers: list[str] = Field(
        default_factory=list,
        description="Words that may follow an adjective told of the patient without it "
        "qualifying them ('hypotensive with a pressure of', 'tachycardic to 130', 'hypoxic on "
        "room air').",
    )
    degree_words: list[str] = Field(
        default_factory=list,
        description="Words grading a direction ('extremely low', 'markedly elevated'): a "
        "phenotype named by its direction keeps the one right before it in its words.",
    )
    generic_words: list[str] = Field(
        default_factory=list,
        description="Words of an HPO alias that name no part of the concept's meaning "
        "('abnormality', 'morphology', 'of'): a finding's words may lack them and still name "
        "the concept. Any other word of the alias a finding's words lack makes the concept "
        "narrower than what the text says ('fluid collection' is no 'Perinephric fluid "
        "collection', 'renal dysfunction' no 'Renal tubular dysfunction'): it is not linked.",
    )
    side_words: list[str] = Field(
        default_factory=list,
        description="Words naming the side of the body a finding is on ('right', 'left'), "
        "which no HPO concept of a one-sided finding names: a mention starting with one is "
        "also read without it.",
    )
    position_words: list[str] = Field(
        default_factory=list,
        description="Words placing a thing within the body or among its like without naming "
        "another thing ('anterior', 'peripheral', 'distal', 'whole'): 'the peripheral pulses "
        "were weak' tells Weak pulse, as 'the gag reflex was absent' tells no Areflexia "
        "(``names_a_kind``).",
    )
    birth_words: list[str] = Field(
        default_factory=list,
        description="Words by which an HPO name says a finding was there from birth "
        "('congenital', 'congenita'): such a concept matched from words that say none of them "
        "is not coded in a sentence telling an injury or an operation (``acquired_causes``).",
    )
    acquired_causes: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) for an injury or an operation told "
        "in a sentence ('mauled', 'trauma', 'craniectomy'): a finding there whose HPO name "
        "says it was there from birth (``birth_words``) while its words do not is an acquired "
        "one ('a scalp defect after the bear attack' is no Aplasia cutis congenita of scalp).",
    )
    placed_things: list[str] = Field(
        default_factory=list,
        description="Things a word before names the place of, never a kind ('pulse', 'skin', "
        "'tonsil'): a pulse is named by the artery it is felt over, skin by what it covers, so "
        "'the radial pulses were weak' tells Weak pulse (``names_a_kind``).",
    )
    word_forms: dict[str, str] = Field(
        default_factory=dict,
        description="Word → the word it matches HPO aliases as (both sides normalised like "
        "aliases): 'low' → 'decreased', 'elevated' → 'increased'.",
    )
    device_words: list[str] = Field(
        default_factory=list,
        description="Devices named by a body part's shape or length ('short leg cast', "
        "'long arm splint'): a phenotype right before one of them is the device's name.",
    )
    predicate_verbs: list[str] = Field(
        default_factory=list,
        description="Verbs telling what a body part or a measure is ('was', 'were', "
        "'appeared'): a part and the word such a verb tells of it name the phenotype an alias "
        "names in the other order ('the liver was enlarged' an 'enlarged liver', 'thumbs were "
        "short and broad' 'short thumbs' and 'broad thumbs'), as HPO names a finding by its "
        "attribute first.",
    )
    ability_phrases_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right before a phenotype's "
        "words (up to their start) that make those words an action the patient can or cannot "
        "do, not the state they name: an 'inability to open mouth' is no Open mouth, 'unable to "
        "fall asleep' no Falls; so are the exercises a therapy lists ('chest physiotherapy such "
        "as coughing') and what the patient is asked to do ('asked to cough').",
    )
    cause_phrases_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right before a phenotype's "
        "words (up to their start) that make those words the disease a gene or its variant "
        "causes, no finding of the patient's: a 'mutation in the gene causing glutaric "
        "aciduria' or a 'panel of genes associated with epilepsy' names what the gene does.",
    )
    dimension_words: list[str] = Field(
        default_factory=list,
        description="Words naming a size or a dimension ('long', 'wide', 'small'): right after a "
        "measure (a number and one of ``measure_units``) they tell how big a thing is, no "
        "finding: an '8-cm long penis' is no Long penis, a '2 cm large kidney' no Large kidney.",
    )
    sufficiency_words: list[str] = Field(
        default_factory=list,
        description="Words telling that an amount is too small or as it should be: a "
        "phenotype told with one right before it or among its words is not its concept when "
        "no alias of the concept holds the word ('inadequate weight gain' and 'adequate weight "
        "gain' are no Increased body weight, while 'poor weight gain' is Failure to thrive's "
        "own).",
    )
    goal_verbs: list[str] = Field(
        default_factory=list,
        description="Verbs whose object a treatment is given for, which the patient has not "
        "yet: a phenotype right after 'to' and one of them ('megestrol to promote weight gain', "
        "'acetylcholine to achieve miosis') is a goal, no evidence of the patient's finding.",
    )
    object_determiners: list[str] = Field(
        default_factory=list,
        description="Words opening a noun phrase ('the', 'his'): within a phenotype's words, one "
        "right after a word of the concept's aliases that ``determiner_companions`` does not "
        "list makes that word a verb acting on the thing after it, what someone did to it and "
        "no finding of the patient's: 'we raised the blood pressure' is no Increased blood "
        "pressure, 'dilated the ureter' no Hydroureter, 'tried to open the mouth' no Open mouth.",
    )
    determiner_companions: list[str] = Field(
        default_factory=list,
        description="Words a determiner may follow within a phenotype's words without making "
        "them an act on a thing (``object_determiners``): prepositions and conjunctions ('of "
        "the', 'and the', 'than the'), quantifiers ('both the'), and 'lost', whose object is "
        "what the patient lost ('lost the ability to walk').",
    )
    induced_concepts: list[str] = Field(
        default_factory=list,
        description="HPO ids of states clinicians also bring about on purpose (Hypothermia, "
        "Cardiac arrest, Coma): such a concept is not coded from words that "
        "``induced_phrases_before`` make a state a procedure or a treatment induces ('performed "
        "under cardiac arrest', 'a medically induced coma', 'bypass was established with mild "
        "hypothermia'), while 'he was found in hypothermia' is the patient's.",
    )
    induced_phrases_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right before a state (up to "
        "its start) that make it one a procedure or a treatment induces: 'under' it, it "
        "'induced' by clinicians, it established 'with' a cardiopulmonary bypass.",
    )
    induced_phrases_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a state that "
        "make it one a procedure induces: it 'was established' or 'obtained', or brought 'by' "
        "a cardioplegia ('cardiac arrest was obtained using St. Thomas solution').",
    )
    general_phrases_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right before a finding (up "
        "to its start) that name it as what is so in general or what a treatment is for, not "
        "as the patient's: 'the most common benign lesion of the spleen is' a hemangioma, a "
        "drug 'approved for the treatment of' cellulitis, a team 'prepared for the treatment "
        "of' ventricular arrhythmias.",
    )
    general_phrases_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a finding that "
        "name it as what is so in general: it 'is the most common' cause of something, it 'is "
        "a rare' complication.",
    )
    worry_phrases_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right before a finding (up "
        "to its start) that name it as what someone fears or is concerned about, not as one "
        "the patient has: 'concerned about' alopecia, 'fear of' weight gain, 'worries about "
        "possible' toxicity. A finding with its own article or possessive is one the patient "
        "has ('concerned about the genital lesion', 'worried about her weight gain'), and so "
        "is a complaint ('a chief concern of', 'presented with concerns of').",
    )
    sensation_concepts: list[str] = Field(
        default_factory=list,
        description="HPO ids of sensations an examination tests, or applies as a stimulus, as "
        "well as a patient feels them (Pain): such a concept is not coded from words that "
        "``sensation_phrases_before`` or ``sensation_phrases_after`` make a sense tested or a "
        "stimulus ('withdrawing to pain', 'the sensation of touch, temperature, and pain', "
        "'pain and temperature sensation'), while 'pain in the left leg' is the patient's.",
    )
    sensation_phrases_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right before a sensation "
        "(up to its start) that make it a sense tested or a stimulus: a response 'to' it, a "
        "'sensation of' it, another sense listed before it.",
    )
    sensation_phrases_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a sensation "
        "that make it a sense tested: 'sensation' or 'sense' after it, another sense listed "
        "after it.",
    )
    graded_concepts: dict[str, list[str]] = Field(
        default_factory=dict,
        description="HPO id → the words grading beyond normal the state its name tells, for a "
        "concept named by the word an examination uses for a normal or a measured state: a "
        "'deep' anterior chamber is one not shallow ('the anterior chamber was deep and "
        "quiet'), an 'overjet' or an 'overbite' what an orthodontist measures ('an overjet of "
        "2 mm', 'acceptable overjet and overbite were achieved'). Such a concept is coded only "
        "from words holding one of its grading words, among them, right before them or told "
        "of them by a verb of being after them ('an abnormally deep anterior chamber', 'a large "
        "overjet', 'overbite and overjet were increased').",
    )
    recovery_concepts: list[str] = Field(
        default_factory=list,
        description="HPO ids of gains a patient shows getting better as well as falling ill "
        "(Increased body weight, Polyphagia, and the rises of the blood counts that case "
        "reports tell of as a treated anemia or thrombocytopenia recovers: Increased "
        "circulating hemoglobin concentration, Thrombocytosis): such a concept is not coded "
        "from a clause that tells the patient's recovery (``recovery_phrases``): 'after "
        "treatment he gained weight and his appetite improved' is his recovery, no Increased "
        "body weight, nor is 'the hemoglobin increased to 10.7 g/dL' an Increased circulating "
        "hemoglobin concentration, while 'the mania improved but sudden weight gain occurred' "
        "still tells the gain in its own clause.",
    )
    level_roots: list[str] = Field(
        default_factory=list,
        description="HPO ids of the branches naming a measured level (of the blood, of "
        "metabolism, of body weight): a concept among them is not coded from words telling a "
        "fall by a verb after the measure ('both CRP and ESR decreased', 'his weight decreased "
        "by 5 kg'), a change, not a low level, unless the fall is told to a value ('the "
        "platelet count decreased to 20,000/uL'), which a reader may judge (``fall_verbs``).",
    )
    fall_verbs: list[str] = Field(
        default_factory=list,
        description="Verbs telling a measure's fall when told after it ('decreased', 'fell'), "
        "for ``level_roots``.",
    )
    normal_values: dict[str, list[NormalValue]] = Field(
        default_factory=dict,
        description="HPO id → the units and normal values of the measure whose rise beyond "
        "normal the concept is (Tachycardia: a heart rate above normal): the concept is not "
        "coded from words followed, within their clause, only by values of the measure within "
        "normal ('heart rate increased to 82 beats/min', 'fever 36.2 °C'), a change within "
        "normal or a word the value gainsays.",
    )
    recovery_phrases: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) telling, within a clause, that the "
        "patient got better ('improved', 'recovered', 'doing well', 'well tolerated') or that "
        "a measure rose to a value ('increased to 10.7', 'rose from 6 g/dL to 9') or to normal "
        "('to normal levels'): a change, not a level above normal.",
    )
    measure_units: list[str] = Field(
        default_factory=list, description="Units of length ('mm', 'cm', 'inches')."
    )
    naming_phrases_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a phenotype's "
        "words that make those words part of another thing's name, no finding of the "
        "patient's: the 'short arm' of 'short arm of chromosome 21' is a chromosome's arm, the "
        "'elevated creatinine' of 'elevated creatinine kinase' (creatine kinase misspelt) an "
        "enzyme's level, the 'aortopulmonary window' of 'aortopulmonary window nodes' a place, "
        "the 'small hand' of 'small hand muscles' a body part's muscles, the 'small lung' of "
        "'small lung nodules' the nodules' size, the 'periodic fever' "
        "of 'periodic fever syndromes' a class of disorders, the 'Leukaemia' of 'Pediatric "
        "Leukaemia/Lymphoma Study Group' an organisation's (capitalised words before 'Group', "
        "'Society', 'Network', 'Foundation' and the like), the 'stroke' of 'stroke risk' a risk, "
        "the 'DVT' of 'DVT stockings' a device, the 'hepatitis' of 'hepatitis B virus' or "
        "'hepatitis C positive' a virus or its serology, "
        "the 'rigor' of 'rigor like movements' a likeness, that of 'rigor mortis' a dead "
        "body's stiffening, "
        "the 'low levels of IgM' of 'low levels of IgM antibodies' the antibodies to one "
        "microbe, "
        "the 'Wilms' tumor' of 'Wilms' tumor "
        "(WT1)' and the 'mental retardation' of 'fragile X mental retardation 1 (FMR1)' a gene's "
        "or its protein's name (a symbol of capitals ending in a number, no 'type' or 'stage' "
        "told between: a 'diabetes mellitus type 2 (DM2)' is the disease).",
    )
    other_sense_words: dict[str, list[str]] = Field(
        default_factory=dict,
        description="HPO id → words that, in a finding's words, among the two right before "
        "them (a 'vertebral body' edema) or in the phrase right after them (up to a "
        "conjunction, a verb of being or a punctuation mark: "
        "'edema of the bone marrow', 'a shock from an automated external defibrillator'), give it "
        "another sense than the concept's: HPO's Edema is fluid under the skin or in a body "
        "cavity, and a 'vasogenic', 'marrow' or 'mucosal' edema is the brain's, a bone's or a "
        "mucosa's, a 'disc' or 'intraretinal' one the eye's; its Dissociation is a mental state, "
        "and an 'albuminocytologic' one is a finding of the spinal fluid, an 'atrioventricular' "
        "one a heart rhythm; its Dysphoria is a "
        "mood, and a 'gender' dysphoria is none; its Purpura is seen on the skin, and a "
        "'thrombocytopenic' purpura names a disease (ITP, TTP); its Shock is a circulatory "
        "failure, and an 'ICD' "
        "or 'electric' shock, a 'high-energy' or 'inappropriate' one, is a current, an "
        "'extracorporeal shock wave' a lithotripsy, a "
        "'nervous shock' a fright; its Hypertension is the systemic arteries', and a "
        "'portopulmonary', 'venous' or 'intra-abdominal' one is not; its Drooling is of saliva, "
        "and a 'dribbling of urine' is the bladder's; its Irritability is a mood, and an "
        "irritable 'bowel' or 'colon' is the gut's; its Asthenia is a weakness of the whole body, "
        "and one of a 'hand', a 'limb' or one 'side' is a muscle's; its Lymphocytosis and "
        "Lymphopenia are of all lymphocytes, and a 'CD4' or 'T' lymphocyte count is a subset's; "
        "its Pallor is of the skin, and a 'disc', 'temporal' or 'pole' pallor the optic nerve's; "
        "its Broad neck is the person's, and a 'wide-neck aneurysm' the opening of a sac; "
        "its Refractory drug response is the patient's, and an organism's 'multiple drug' "
        "or 'antibiotic' resistance a germ's; "
        "its Gray matter heterotopia is the brain's, and a 'gastric' one a mucosa's; its Nevus "
        "is a mole, and 'spider' nevi are vessels; its Amenorrhea is a disorder, and a "
        "'lactational' one the normal pause of nursing; its Crackles are the lungs', and a "
        "'subcutaneous' or 'bony' crepitation, or one felt ('palpable', 'on palpation'), is "
        "air under the skin or a broken bone's; its "
        "Sinusitis is the paranasal sinuses', and a 'sinus tract' or a 'pilonidal' sinus a "
        "passage in soft tissue; its Depression is a mood, and an 'epidermal' "
        "or 'marrow' depression, a 'depression fracture', a 'depression of the sensorium', "
        "of a bone, in sensitivity on perimetry, in an ECG's leads or of an EEG's 'electrical' "
        "activity or 'voltage', a tissue's or a "
        "function's "
        "(a narrower concept such as "
        "Cerebral edema still names the finding where HPO has one).",
    )
    organ_senses: dict[str, OrganSense] = Field(
        default_factory=dict,
        description="HPO id → the organ words deciding whether a finding named by a word "
        "several organs share is the concept's: 'dilated ventricles' are the brain's "
        "(Ventriculomegaly) unless their sentence names the heart or a test of it "
        "('echocardiogram') and not the brain; a 'muscle rigidity' is a neurological one "
        "(Rigidity) unless its sentence names the abdomen and no limb; a 'hypokinesia' or "
        "'dyskinesis' of a ventricle's wall is the heart's, no movement disorder; a 'white patch' "
        "(HPO's layperson Poliosis) is of hair, not of a mucosa or the skin; a 'low energy' is "
        "the force of a fall or an injury, or a scanner's setting, in a sentence of those and "
        "not of mood or fatigue (HPO's Diminished energy). The concept "
        "and its descendants are not coded from a sentence naming another organ and not its "
        "own.",
    )
    person_trait_roots: list[str] = Field(
        default_factory=list,
        description="HPO ids whose descendants are traits of a person's mind or behaviour "
        "(Abnormality of mental function). Such a finding is read in a tissue's sense, not "
        "the person's, where the 'of' phrase right after it names a body structure that no "
        "alias of such a trait names ('inflammatory aggression of the nerve filaments'), or "
        "where its words only qualify another finding the text names within one mention "
        "('irritable myopathy', a Myopathy).",
    )
    growth_roots: list[str] = Field(
        default_factory=list,
        description="HPO ids of growths (Neoplasm). A trait of a person's (``person_trait_roots``) "
        "in words a growth's course is told in too (``course_words``), told with 'with' right "
        "after a word heading a growth's name, is the growth's course, not the person's ('a "
        "thyroid carcinosarcoma with aggressive behavior', 'a benign lesion with aggressive "
        "behaviour'); words any trait's alias holds head no growth ('a boy with autism').",
    )
    course_words: list[str] = Field(
        default_factory=list,
        description="Words a growth's course is told in as a person's conduct is ('behavior').",
    )
    developmental_roots: list[str] = Field(
        default_factory=list,
        description="HPO ids whose descendants are delays of a child's development "
        "(Neurodevelopmental delay). In an adult (``adult_age_years``) such a concept is coded "
        "only from words naming a development or its delay (``development_words``): an adult's "
        "'speech difficulty' (one of HPO's synonyms of Delayed speech and language "
        "development) or 'nonverbal' state is today's, no delay of a child's development.",
    )
    development_words: list[str] = Field(
        default_factory=list,
        description="Words naming a development or its delay ('delayed', 'milestones').",
    )
    adult_age_years: float = Field(
        default=18.0, ge=0.0, description="The age from which a patient is an adult."
    )
    test_name_words: list[str] = Field(
        default_factory=list,
        description="Words ending an HPO alias that make it a test's name ('Antinuclear "
        "antibodies' of Antinuclear antibody positivity): the text names the phenotype only "
        "where its sentence tells the test positive (``positive_result_words``).",
    )
    positive_result_words: list[str] = Field(
        default_factory=list,
        description="Words telling a test positive ('positive', 'detected', 'elevated').",
    )
    negative_result_words: list[str] = Field(
        default_factory=list,
        description="Words telling a test negative or normal ('negative', 'unremarkable').",
    )

    sign_chapters: list[str] = Field(
        default_factory=list,
        description="ICD-10-CM chapters, by their codes' first letter, of symptoms and signs "
        "('R'): a concept whose name ICD-10-CM codes there only is a sign, which a disease may "
        "hold in its name (``disease_chapters``).",
    )
    disease_chapters: list[str] = Field(
        default_factory=list,
        description="ICD-10-CM chapters, by their codes' first letter, of diseases: a sign's "
        "concept (``sign_chapters``) is not coded from words that, alone or with the two words "
        "right before them, are said in that order in the title of every code an ICD-10-CM alias "
        "holding them names, all in such a chapter ('rheumatic fever' of I00 'Rheumatic fever "
        "without heart involvement', 'scarlet fever' A38: a disease, no Fever), or are the whole "
        "of such an alias with a word the text capitalises within a sentence, a proper name "
        "('West Nile fever' of A92.3 West Nile virus infection), unless they are "
        "one of the concept's own names or a narrower concept of the sign's names their other "
        "word too ('tension' of Tension-type headache: a kind of Headache), or their other "
        "words are only ``name_qualifiers``, the sign's course ('recurrent seizures' of G40 "
        "Epilepsy and recurrent seizures). A site's pain ('loin "
        "pain', M54.50 'Low back pain') is not a title's words; pregnancy's, the newborn's and "
        "injuries' chapters are left out: a 'neonatal jaundice' is still the sign.",
    )

    @field_validator("section_weights")
    @classmethod
    def _weights_in_range(cls, value: dict[str, float]) -> dict[str, float]:
        for kind, weight in value.items():
            if not 0.0 <= weight <= 1.0:
                raise ValueError(f"weight of section {kind!r} is outside [0, 1]")
        return value


@dataclass(frozen=True, slots=True)
class _Evidence:
    """One place in the text that supports a concept, with its weight."""

    concept_id: str
    start: int
    end: int
    weight: float
    mention_id: str


_PROPER_WORD = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+\b")
"""A word written with a capital letter within a sentence, after a small word or a comma."""

_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z0-9+]*)[ -]$")
"""The word right before a position, past one space or hyphen: a "marrow" before "edema", a
cell marker ("CD4+") before "lymphocyte count"."""

_WORD_REACH = 40
"""How many characters back ``_LAST_WORD`` and ``_TWO_WORDS_BEFORE`` look: longer than any word
or pair of words they are to find."""

_TWO_WORDS_BEFORE = re.compile(
    r"(?<![A-Za-z0-9+])(?:([A-Za-z][A-Za-z0-9+]*)[ -])?([A-Za-z][A-Za-z0-9+]*)[ -]$"
)
"""The two words right before a position, each past one space or hyphen: the "vertebral body"
an edema is of, whose nearer word alone names no organ."""

_FUNCTION_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "no", "of", "on", "or"}
    | {"the", "to", "with", "without"}
)
"""Words after which the word before no longer qualifies what follows ("marrow and edema")."""

_PHRASE_AFTER = re.compile(
    r"(?:[ \t]+(?!(?:and|or|but|was|were|is|are|had|has|have)\b)[A-Za-z][\w-]*){1,6}",
    re.IGNORECASE,
)
"""The words right after a position within its phrase: at most six, up to a punctuation mark, a
conjunction or a verb of being or having ("edema [of the bone marrow] and ...")."""

_COORDINATION = re.compile(r"[,;/]|\b(?:and|or|with|without)\b", re.IGNORECASE)
"""A mark joining findings side by side rather than one qualifying the other."""

_SENSATION_REACH = 80
"""How many characters before a sensation ``sensation_phrases_before`` (and a state
``induced_phrases_before``) read: a list of senses ("sensations of light touch, pinprick,
vibration and ") fits."""

_CLAUSE_BOUNDARY = re.compile(
    r"[;:]|\b(?:but|however|whereas|although|though|while|despite|yet)\b", re.IGNORECASE
)
"""A mark or word opening another clause: what it tells is no longer the clause before it."""

_WITH_BEFORE = re.compile(
    r"([A-Za-z][\w-]*),?\s+with\s+(?:(?!(?:and|or|but|he|she|they)\b)[a-z][\w-]*\s+){0,3}$",
    re.IGNORECASE,
)
"""The word told 'with' the words that follow, past a comma and a few words qualifying them
('carcinosarcoma with aggressive behavior', 'a GIST, with low risk aggressive behavior')."""

_WITH_REACH = 40
"""How many characters before a mention ``_WITH_BEFORE`` reads."""

_GROWTH_SUFFIX_CHARS = 7
"""The least length of a growth's head word that a longer word may end with ('sarcoma')."""

_OF_PHRASE = re.compile(
    r"\s+of\s+((?:[ \t]*(?!(?:and|or|but|was|were|is|are|had|has|have)\b)[A-Za-z][\w-]*){1,4})",
    re.IGNORECASE,
)
"""The 'of' phrase right after a finding, up to four words: what it is told of ("aggression [of
the nerve filaments]")."""

RULES = "phenotypes.json"
"""The packaged rule file."""


def build_generator(rules: PhenotypeRules, kb: KnowledgeBase) -> CandidateGenerator:
    """The HPO alias matcher the rules describe."""
    return CandidateGenerator(
        kb,
        min_alias_chars=rules.min_alias_chars,
        case_sensitive_chars=rules.case_sensitive_chars,
        word_forms={
            normalize_alias(word): normalize_alias(form) for word, form in rules.word_forms.items()
        },
        whole_compounds=True,
        ellipsis=True,
    )


@cache
def packaged_matcher() -> tuple[PhenotypeRules, KnowledgeBase, CandidateGenerator]:
    """The packaged rules, HPO and their alias matcher, built once for every user."""
    rules = load_rules(RULES, PhenotypeRules)
    kb = with_added_synonyms(load_hpo(), rules)
    return rules, kb, build_generator(rules, kb)


def with_added_synonyms(kb: KnowledgeBase, rules: PhenotypeRules) -> KnowledgeBase:
    """``kb`` with the rules' ``added_synonyms`` and the names its ``name_inversions`` derive.

    Raises:
        CasebookError: ``CB-E012`` when the rules add synonyms to a concept ``kb`` lacks.
    """
    added: dict[str, list[str]] = {
        concept_id: list(names) for concept_id, names in rules.added_synonyms.items()
    }
    for derived in (
        inverted_names(kb, rules),
        adjective_names(kb, rules),
        site_names(kb, rules),
        change_names(kb, rules),
        quality_names(kb, rules),
        range_names(kb, rules),
    ):
        for concept_id, names in derived.items():
            added.setdefault(concept_id, []).extend(names)
    if not added:
        return kb
    try:
        return kb.with_synonyms(added)
    except KeyError as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, f"phenotype rules: {exc}") from exc


def inverted_names(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, list[str]]:
    """The names ``name_inversions`` derive from the concepts' names, by concept: each a key no
    alias of ``kb`` has, held by the one concept deriving it or by the one the others deriving
    it are kinds of ("eye abnormality" for Abnormality of the eye)."""
    inversions = [(re.compile(p), forms) for p, forms in rules.name_inversions.items()]
    derived: dict[str, set[str]] = {}
    surface: dict[str, str] = {}
    for concept in kb.concepts.values():
        for pattern, forms in inversions:
            found = pattern.fullmatch(concept.name)
            if found is None:
                continue
            for form in forms:
                name = form.format(**found.groupdict())
                key = normalize_alias(name)
                if key not in kb.aliases:
                    derived.setdefault(key, set()).add(concept.id)
                    surface[key] = name
    return _held_names(kb, derived, surface)


def site_pairs(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, frozenset[str]]:
    """Each site adjective (``site_adjective_endings``) → the nouns it stands for, as HPO's
    synonym pairs show them: one concept's aliases 'ADJECTIVE WORDS' and 'WORDS of NOUN'."""
    endings = tuple(rules.site_adjective_endings)
    if not endings:
        return {}
    ambiguous = {normalize_alias(a) for a in rules.ambiguous_site_adjectives}
    pairs: dict[str, set[str]] = {}
    for concept in kb.concepts.values():
        keys = [normalize_alias(alias).split(" ") for alias in concept.aliases]
        told = {" ".join(k[:-2]): k[-1] for k in keys if len(k) >= 3 and k[-2] == "of"}
        for key in keys:
            noun = told.get(" ".join(key[1:]))
            if (
                noun is not None
                and key[0] != noun
                and key[0].endswith(endings)
                and key[0] not in ambiguous
            ):
                pairs.setdefault(key[0], set()).add(noun)
    return {adjective: frozenset(nouns) for adjective, nouns in pairs.items()}


def _adjectives_by_noun(pairs: dict[str, frozenset[str]]) -> dict[str, set[str]]:
    """Adjective → nouns pairs turned round: each noun → the adjectives saying it."""
    adjectives: dict[str, set[str]] = {}
    for adjective, nouns in pairs.items():
        for noun in nouns:
            adjectives.setdefault(noun, set()).add(adjective)
    return adjectives


def site_names(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, list[str]]:
    """The names ``site_pairs`` derive, by concept, held as ``inverted_names`` holds its
    names: 'WORDS of NOUN' from an alias 'ADJECTIVE WORDS', and the reverse."""
    pairs = site_pairs(kb, rules)
    if not pairs:
        return {}
    adjectives = _adjectives_by_noun(pairs)
    derived: dict[str, set[str]] = {}
    surface: dict[str, str] = {}
    for concept in kb.concepts.values():
        for alias in concept.aliases:
            words = normalize_alias(alias).split(" ")
            if words.count("of") > 1:
                # "Abnormality of the epiphysis of the middle phalanx of the 2nd finger": which
                # 'of' to move is the whole name's grammar.
                continue
            names = []
            if "of" not in words:
                names = [f"{' '.join(words[1:])} of {noun}" for noun in pairs.get(words[0], ())]
            elif len(words) >= 3 and words[-2] == "of":
                names = [f"{a} {' '.join(words[:-2])}" for a in adjectives.get(words[-1], ())]
            for name in names:
                if name not in kb.aliases:
                    derived.setdefault(name, set()).add(concept.id)
                    surface[name] = name
    return _held_names(kb, derived, surface)


CHANGE_ENDING_CHARS = 3
"""How many letters an adjective or a noun of one change may have past the letters they
share ('hypoplast-ic', 'hypoplas-ia')."""


def change_pairs(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, frozenset[str]]:
    """Each adjective of a change → the nouns saying it (``change_stem_chars``), as HPO's
    synonym pairs show them: one concept's aliases 'ADJECTIVE WORDS' and 'NOUN of WORDS'. An
    adjective that is an alias on its own names a phenotype, no change of one; one naming a
    grouping class (``grouping_names``: 'Abnormal') derives nothing, as such classes are
    what curators replace by the defect itself."""
    least = rules.change_stem_chars
    if least == 0:
        return {}
    grouping = [re.compile(p) for p in rules.grouping_names]
    pairs: dict[str, set[str]] = {}
    for concept in kb.concepts.values():
        keys = [normalize_alias(alias).split(" ") for alias in concept.aliases]
        told: dict[str, set[str]] = {}
        for key in keys:
            if len(key) >= 3 and key[1] == "of" and key.count("of") == 1:
                told.setdefault(" ".join(key[2:]), set()).add(key[0])
        for key in keys:
            if (
                len(key) < 2
                or "of" in key
                or key[0] in kb.aliases
                or any(p.match(key[0].capitalize()) for p in grouping)
            ):
                continue
            for noun in told.get(" ".join(key[1:]), ()):
                shared = len(commonprefix([key[0], noun]))
                if (
                    noun != key[0]
                    and shared >= least
                    and max(len(key[0]), len(noun)) - shared <= CHANGE_ENDING_CHARS
                ):
                    pairs.setdefault(key[0], set()).add(noun)
    return {adjective: frozenset(nouns) for adjective, nouns in pairs.items()}


def change_names(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, list[str]]:
    """The names ``change_pairs`` derive, by concept, held as ``inverted_names`` holds its
    names: 'NOUN of WORDS' from an alias 'ADJECTIVE WORDS', and the reverse."""
    pairs = change_pairs(kb, rules)
    if not pairs:
        return {}
    adjectives = _adjectives_by_noun(pairs)
    derived: dict[str, set[str]] = {}
    for concept in kb.concepts.values():
        for alias in concept.aliases:
            words = normalize_alias(alias).split(" ")
            if len(words) < 2 or words.count("of") > 1:
                continue
            if "of" not in words:
                names = [f"{noun} of {' '.join(words[1:])}" for noun in pairs.get(words[0], ())]
            elif len(words) >= 3 and words[1] == "of":
                names = [f"{a} {' '.join(words[2:])}" for a in adjectives.get(words[0], ())]
            else:
                continue
            for name in names:
                if name not in kb.aliases:
                    derived.setdefault(name, set()).add(concept.id)
    return _held_names(kb, derived, {name: name for name in derived})


QUALITY_SUFFIX_CHARS = 3
"""The fewest letters a quality's noun has past those it shares with its adjective: a derived
noun's suffix ('-ity', '-ness', '-ing'), not a Latin or plural ending ('universal-is',
'vertebra-e') nor an adverb's ('superior-ly')."""


def quality_pairs(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, frozenset[str]]:
    """Each adjective of a quality → the nouns naming it (``quality_ending_chars``), as HPO's
    synonym pairs show them: one concept's aliases 'ADJECTIVE WORDS' and 'WORDS NOUN'. An
    adjective naming a grouping class (``grouping_names``: 'Abnormal') derives nothing, as
    ``change_pairs`` say."""
    least, most = rules.change_stem_chars, rules.quality_ending_chars
    if least == 0 or most == 0:
        return {}
    grouping = [re.compile(p) for p in rules.grouping_names]
    pairs: dict[str, set[str]] = {}
    for concept in kb.concepts.values():
        keys = [normalize_alias(alias).split(" ") for alias in concept.aliases]
        ended: dict[str, set[str]] = {}
        for key in keys:
            if len(key) >= 2 and "of" not in key:
                ended.setdefault(" ".join(key[:-1]), set()).add(key[-1])
        for key in keys:
            if len(key) < 2 or "of" in key or any(p.match(key[0].capitalize()) for p in grouping):
                continue
            for noun in ended.get(" ".join(key[1:]), ()):
                shared = len(commonprefix([key[0], noun]))
                if (
                    shared >= least
                    and len(key[0]) - shared <= 1
                    and QUALITY_SUFFIX_CHARS <= len(noun) - shared <= most
                ):
                    pairs.setdefault(key[0], set()).add(noun)
    return {adjective: frozenset(nouns) for adjective, nouns in pairs.items()}


def quality_names(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, list[str]]:
    """The names ``quality_pairs`` derive, by concept, held as ``inverted_names`` holds its
    names: 'ADJECTIVE WORDS' from an alias 'WORDS NOUN' whose words name one thing (none of
    ``adjective_followers``: 'Respiratory insufficiency due to muscle weakness' is no weak
    thing) and end with its noun, no site adjective (``site_adjective_endings``: an 'irregular
    cortical' thing goes on with its noun, as in 'irregular cortical thickening', no Cortical
    irregularity) nor qualifier (``name_qualifiers``: 'progressive spastic' goes on with what
    is spastic, no Progressive spasticity). Not the reverse: an alias the adjective begins may
    be an idiom ('Weak chin' of Retrognathia has no 'chin weakness')."""
    pairs = quality_pairs(kb, rules)
    if not pairs:
        return {}
    adjectives = _adjectives_by_noun(pairs)
    joining = {normalize_alias(word) for word in rules.adjective_followers}
    site_endings = tuple(rules.site_adjective_endings)
    qualifiers = _qualifier_words(tuple(rules.name_qualifiers))
    derived: dict[str, set[str]] = {}
    for concept in kb.concepts.values():
        for alias in concept.aliases:
            words = normalize_alias(alias).split(" ")
            if (
                len(words) < 2
                or "of" in words
                or joining.intersection(words)
                or (site_endings and words[-2].endswith(site_endings))
                or words[-2] in qualifiers
            ):
                continue
            for name in (f"{a} {' '.join(words[:-1])}" for a in adjectives.get(words[-1], ())):
                if name not in kb.aliases:
                    derived.setdefault(name, set()).add(concept.id)
    return _held_names(kb, derived, {name: name for name in derived})


_DISJUNCTION = re.compile(r"\s+(?:or|to)\s+|\s*/\s*", re.IGNORECASE)
"""What joins two words of one alias as alternatives: 'or', 'to', a slash."""


def range_names(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, list[str]]:
    """The names ``absence_words`` derive, by concept, held as ``inverted_names`` holds its
    names: 'WORD THING' from an alias 'WORD or ABSENCE THING' or 'ABSENCE or WORD THING'."""
    absence = {w.lower() for w in rules.absence_words}
    if not absence:
        return {}
    derived: dict[str, set[str]] = {}
    surface: dict[str, str] = {}
    for concept in kb.concepts.values():
        if _DISJUNCTION.search(concept.name):
            continue
        for alias in concept.aliases:
            parts = _DISJUNCTION.split(alias, maxsplit=1)
            if len(parts) != 2 or " " in parts[0] or " " not in parts[1]:
                continue
            second, thing = parts[1].split(" ", 1)
            words = {parts[0].lower(), second.lower()}
            said = words - absence
            if len(said) != 1 or len(words) != 2:
                continue
            name = f"{said.pop()} {thing}"
            key = normalize_alias(name)
            if key not in kb.aliases:
                derived.setdefault(key, set()).add(_range_end(kb, concept.id, absence, thing))
                surface[key] = name
    return _held_names(kb, derived, surface)


def _range_end(kb: KnowledgeBase, concept_id: str, absence: set[str], thing: str) -> str:
    """The concept of a range's end short of absence: of a concept with two children, one
    named the thing's absence ('Absent deep tendon reflexes', Areflexia), the other
    (Hyporeflexia); else the concept itself."""
    children = kb.children(concept_id)
    if len(children) != 2:
        return concept_id
    absent = {normalize_alias(f"{word} {thing}") for word in absence}
    named = [c for c in children if absent & {normalize_alias(a) for a in kb.concept(c).aliases}]
    if len(named) != 1:
        return concept_id
    return next(c for c in children if c != named[0])


def adjective_names(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, list[str]]:
    """The adjectives ``adjective_endings`` derive from the concepts' one-word names and
    synonyms, by concept ("hypotonic" for Hypotonia), held as ``inverted_names`` holds its
    names; none from an alias read in another sense (``other_senses``) or one ending as
    ``adjectiveless_endings`` say."""
    endings = sorted(rules.adjective_endings.items(), key=lambda pair: -len(pair[0]))
    if not endings:
        return {}
    other_senses = other_sense_keys(rules)
    derived: dict[str, set[str]] = {}
    surface: dict[str, str] = {}
    for concept in kb.concepts.values():
        for alias in concept.aliases:
            word = alias.lower()
            if (
                not word.isalpha()
                or normalize_alias(word) in other_senses
                or word.endswith(tuple(rules.adjectiveless_endings))
            ):
                continue
            ending = next((pair for pair in endings if word.endswith(pair[0])), None)
            if ending is None:
                continue
            name = word[: -len(ending[0])] + ending[1]
            key = normalize_alias(name)
            if key not in kb.aliases:
                derived.setdefault(key, set()).add(concept.id)
                surface[key] = name
    return _held_names(kb, derived, surface)


def _held_names(
    kb: KnowledgeBase, derived: dict[str, set[str]], surface: dict[str, str]
) -> dict[str, list[str]]:
    """Derived names by the concept holding each: the one concept deriving it, or the one the
    others deriving it are kinds of."""
    names: dict[str, list[str]] = {}
    for key, concept_ids in sorted(derived.items()):
        # Of two concepts deriving one name, the broader holds it ("eye abnormality":
        # Abnormality of the eye, not its Abnormal eye morphology), as ``sense`` reads an alias.
        broadest = [
            c for c in concept_ids if all(o == c or c in kb.ancestors(o) for o in concept_ids)
        ]
        if len(broadest) == 1:
            names.setdefault(broadest[0], []).append(surface[key])
    return names


@cache
def packaged_adjectives() -> frozenset[str]:
    """The keys of the adjectives the packaged rules derive from the packaged HPO."""
    return adjective_keys(load_hpo(), packaged_matcher()[0])


def adjective_keys(kb: KnowledgeBase, rules: PhenotypeRules) -> frozenset[str]:
    """The alias keys of the adjectives ``adjective_names`` derives from ``kb``."""
    return frozenset(
        normalize_alias(name) for names in adjective_names(kb, rules).values() for name in names
    )


def overclaims(name: str, words: str, rules: PhenotypeRules) -> bool:
    """Whether a concept's name claims a qualifier (``name_qualifiers``) the words do not say,
    by its word or by one of its ``qualifier_equivalents``."""
    qualifiers = _qualifier_words(tuple(rules.name_qualifiers))
    claimed = {w for w in normalize_tokens(name) if w in qualifiers}
    if not claimed:
        return False
    said = normalize_tokens(words)
    unsaid = claimed - set(said)
    if not unsaid:
        return False
    phrase = f" {' '.join(said)} "
    equivalents = _equivalent_phrases(
        tuple((q, tuple(p)) for q, p in rules.qualifier_equivalents.items())
    )
    return any(not any(f" {e} " in phrase for e in equivalents.get(word, ())) for word in unsaid)


@cache
def _equivalent_phrases(
    equivalents: tuple[tuple[str, tuple[str, ...]], ...],
) -> dict[str, tuple[str, ...]]:
    """``qualifier_equivalents`` normalised: qualifier word → phrases of normalised words."""
    return {
        q: tuple(" ".join(normalize_tokens(p)) for p in phrases)
        for qualifier, phrases in equivalents
        for q in normalize_tokens(qualifier)
    }


@cache
def _qualifier_words(name_qualifiers: tuple[str, ...]) -> frozenset[str]:
    """The normalised words of ``PhenotypeRules.name_qualifiers``."""
    return frozenset(q for w in name_qualifiers for q in normalize_tokens(w))


def sense(match: AliasMatch, generator: CandidateGenerator, kb: KnowledgeBase) -> AliasMatch:
    """``match`` with the one concept an alias of several means: the concept it names
    ("Short forearm", not "Forearm undergrowth", which has it as a synonym), else the one
    whose descendants the others are ("ear anomalies": "Abnormality of the ear", not "of the
    outer ear"); unchanged when neither settles it."""
    if len(match.concept_ids) < 2:
        return match
    forms = generator.word_forms
    named = [
        c
        for c in match.concept_ids
        if " ".join(forms.get(w, w) for w in normalize_tokens(kb.concept(c).name)) == match.key
    ]
    if len(named) != 1:
        named = [
            c
            for c in match.concept_ids
            if all(o == c or c in kb.ancestors(o) for o in match.concept_ids)
        ]
    if len(named) != 1:
        return match
    return AliasMatch(match.start, match.end, match.key, (named[0],))


def phenotype_matches(
    text: str, rules: PhenotypeRules, generator: CandidateGenerator, kb: KnowledgeBase
) -> list[AliasMatch]:
    """HPO alias matches over a text, each alias of several concepts read in its one
    ``sense``, leaving out those of more than ``max_senses`` concepts still and those whose
    concept's name ``overclaims`` the matched words and those that are part of another thing's
    name (``names_other_thing``) or an action's (``names_an_action``) or a measured size
    (``names_a_dimension``)."""
    other_senses = other_sense_keys(rules)
    found = generator.find(text)
    taken = [(m.start, m.end) for m in found]
    found += [
        m
        for m in predicate_matches(text, rules, generator, kb)
        if not any(start < m.end and m.start < end for start, end in taken)
    ]
    return [
        m
        for m in (sense(match, generator, kb) for match in found)
        if len(m.concept_ids) <= rules.max_senses
        and m.key not in other_senses
        and not names_other_thing(text, m.end, rules)
        and not names_an_action(text, m.start, rules)
        and not names_a_dimension(text, m.start, m.end, rules)
        and not acts_on_a_thing(text, m.start, m.end, rules, generator, kb, m.concept_ids)
        and not any(
            overclaims(kb.concept(c).name, text[m.start : m.end], rules) for c in m.concept_ids
        )
    ]


def predicate_matches(
    text: str, rules: PhenotypeRules, generator: CandidateGenerator, kb: KnowledgeBase
) -> list[AliasMatch]:
    """The phenotypes a sentence tells by a ``predicate_verbs`` verb: one or two words naming
    a thing, the verb, perhaps an adverb, and one word, or two joined by "and" or "or", that
    an alias puts before the thing ("the liver was [markedly] enlarged": "enlarged liver").
    A word before the thing that names a kind of it (``names_a_kind``) must be a word of the
    concept's or a narrower concept's aliases.

    The words are found case-sensitively in the folded text (``casebook.caseless``) where
    there is one, as the case-insensitive expression finds them in the text; the words read
    are the text's."""
    verbs = tuple(rules.predicate_verbs)
    if not verbs:
        return []
    folded = fold(text)
    pattern = _predicate_verb_pattern(verbs, folded=folded is not None)
    found: list[AliasMatch] = []
    for told in pattern.finditer(text if folded is None else folded):
        subject = text[told.start("subject") : told.end("subject")].split()
        if len(subject) == 2 and subject[0].lower() in _PREPOSITIONS:
            # The part is a preposition's object, not what the verb tells of: a "field [of
            # vision] was blurred" is an endoscope's view, no Blurred vision.
            continue
        first, second = (
            text[told.start(group) : told.end(group)] if told.start(group) >= 0 else None
            for group in ("first", "second")
        )
        for said in (first, second):
            if said is None:
                continue
            # The thing's nearest word alone first, then with the word before it: a longer
            # alias ("small upper lip") is the narrower finding.
            for size in (2, 1):
                if len(subject) < size or not normalize_tokens(subject[-size]):
                    # No thing is named by a determiner alone ("the", "her").
                    continue
                phrase = f"{said} {' '.join(subject[-size:])}"
                whole = [m for m in generator.find(phrase) if m.start == 0 and m.end == len(phrase)]
                if (
                    whole
                    and size < len(subject)
                    and names_a_kind(subject[0], subject[-1], whole[0], rules, kb)
                ):
                    # "the papillary muscle was hypertrophic", "the condylar head was small",
                    # "the light reflex was absent": another thing than the alias's, whose
                    # finding a narrower concept would name.
                    break
                if whole:
                    # The finding is the word told: the part is its site, as a mention of a
                    # finding leaves out the site named apart from it.
                    group = "first" if said == first else "second"
                    found.append(
                        AliasMatch(
                            told.start(group), told.end(group), whole[0].key, whole[0].concept_ids
                        )
                    )
                    break
    return found


_PREPOSITIONS = frozenset({"of", "in", "on", "at", "from", "for", "with", "within", "by"})
"""Words whose object is no subject of the verb after it."""


def names_a_kind(
    word: str, thing: str, match: AliasMatch, rules: PhenotypeRules, kb: KnowledgeBase
) -> bool:
    """Whether ``word``, before the ``thing`` a ``match`` names, names a kind of that thing no
    alias holds of the match's concepts, of the concepts below them, or of the concepts below
    a parent of theirs that names the same thing ('Hyperreflexia' over 'Brisk reflexes', whose
    'Hyperactive patellar reflex' makes 'patellar' a kind of reflex it names): a word of the
    vocabulary that is no determiner or conjunction (``object_determiners``,
    ``determiner_companions``), no side or position (``side_words``, ``position_words``), no
    possessive's "s", and not before a thing it can only place (``placed_things``)."""
    words = normalize_tokens(word)
    if len(words) != 1 or len(words[0]) < 2:
        return False
    plain = _lowered(
        (
            *rules.object_determiners,
            *rules.determiner_companions,
            *rules.side_words,
            *rules.position_words,
        )
    )
    if word.lower() in plain:
        return False
    things = normalize_tokens(thing)
    if not things or things[-1] in {t for p in rules.placed_things for t in normalize_tokens(p)}:
        return False
    return not any(
        words[0] in _subtree_words(kb, c)
        for concept in match.concept_ids
        for c in (concept, *_parents_naming(kb, concept, things[-1]))
    )


def _parents_naming(kb: KnowledgeBase, concept_id: str, thing: str) -> tuple[str, ...]:
    """The parents of a concept one of whose aliases holds the normalised word ``thing``."""
    return tuple(
        parent
        for parent in kb.concept(concept_id).parents
        if parent in kb
        and any(thing in normalize_tokens(alias) for alias in kb.concept(parent).aliases)
    )


@cache
def _subtree_words(kb: KnowledgeBase, concept_id: str) -> frozenset[str]:
    """The normalised words of the aliases of a concept and of every concept below it."""
    return frozenset(
        word
        for each in (concept_id, *kb.descendants(concept_id))
        for alias in kb.concept(each).aliases
        for word in normalize_tokens(alias)
    )


@cache
def _predicate_verb_pattern(verbs: tuple[str, ...], folded: bool) -> re.Pattern[str]:
    """One or two words, a verb of ``verbs``, perhaps an adverb, and one word or two joined by
    "and" or "or", ending the phrase: case-insensitive, or, ``folded``, in small letters to
    run case-sensitively over folded text (``casebook.caseless.fold``)."""
    verb = "|".join(re.escape(v.lower() if folded else v) for v in verbs)
    letter = "[a-z]" if folded else "[A-Za-z]"
    return re.compile(
        rf"\b(?P<subject>{letter}+(?:[ \t]+{letter}+)?)[ \t]+(?:{verb})[ \t]+"
        rf"(?:[a-z]+ly[ \t]+)?(?P<first>[a-z]+)"
        rf"(?:[ \t]+(?:and|or)[ \t]+(?:[a-z]+ly[ \t]+)?(?P<second>[a-z]+))?"
        rf"(?=[ \t]*[.,;:)]|[ \t]*$|[ \t]+(?:and|with|on|at|in)\b)",
        0 if folded else re.IGNORECASE,
    )


def spelled_in_other_sense(text: str, start: int, end: int, rules: PhenotypeRules) -> bool:
    """Whether the words at ``[start, end)`` are spelled so as to name another sense than their
    alias's concept (``PhenotypeRules.other_sense_spellings``: a single "fall")."""
    spellings = _one_expression(tuple(rules.other_sense_spellings))
    return spellings is not None and spellings.fullmatch(text, start, end) is not None


@cache
def _one_expression(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """A rule file's patterns as one case-insensitive expression; None when there are none."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _sentence_at(
    position: int, sentences: Sequence[Span], sentence_starts: Sequence[int]
) -> Span | None:
    """The last of the sorted ``sentences`` starting at or before ``position`` (``sentence_starts``
    their starts), or None before the first."""
    index = bisect_right(sentence_starts, position) - 1
    return sentences[index] if index >= 0 else None


def told_as_recovery(
    text: str,
    mention: Mention,
    sentences: Sequence[Span],
    sentence_starts: Sequence[int],
    rules: PhenotypeRules,
) -> bool:
    """Whether ``mention`` is told in a clause telling the patient's recovery
    (``recovery_phrases``): 'he gained weight and his appetite improved', 'the platelet count
    increased to 87,000'. ``sentences`` are the case's, sorted, and ``sentence_starts`` their
    starts."""
    recovery = _one_expression(tuple(rules.recovery_phrases))
    sentence = _sentence_at(mention.start, sentences, sentence_starts)
    if recovery is None or sentence is None or mention.end > sentence.end:
        return False
    start, end = sentence.start, sentence.end
    for boundary in _CLAUSE_BOUNDARY.finditer(text, start, end):
        if boundary.end() <= mention.start:
            start = boundary.end()
        elif boundary.start() >= mention.end:
            end = boundary.start()
            break
    return recovery.search(text, start, end) is not None


def _told_around(before: Sequence[str], after: Sequence[str], text: str, mention: Mention) -> bool:
    """Whether a phrase of ``before`` ends within ``_SENSATION_REACH`` characters before the
    mention, or one of ``after`` opens right after it."""
    opening = _one_expression(tuple(before))
    closing = _one_expression(tuple(after))
    return (
        opening is not None
        and opening.search(text, max(0, mention.start - _SENSATION_REACH), mention.start)
        is not None
    ) or (closing is not None and closing.match(text, mention.end) is not None)


def gainsaid_by_value(
    concept_id: str,
    text: str,
    mention: Mention,
    sentences: Sequence[Span],
    sentence_starts: Sequence[int],
    rules: PhenotypeRules,
    adult: bool = False,
) -> bool:
    """Whether a concept of ``normal_values`` is followed within its clause by values of its
    measure, all of them within normal ("heart rate increased to 82 beats/min", "fever 36.2
    °C"; "blood pressure increased to 110/70 mmHg" only where the patient is an ``adult``).
    ``sentences`` are the case's, sorted, and ``sentence_starts`` their starts."""
    normal = [m for m in rules.normal_values.get(concept_id, ()) if adult or not m.adults_only]
    if not normal:
        return False
    sentence = _sentence_at(mention.start, sentences, sentence_starts)
    end = min(
        mention.end + _VALUE_REACH,
        max(mention.end, sentence.end) if sentence is not None else len(text),
    )
    clause = text[mention.end : end].split(";", 1)[0]
    values: list[bool] = []
    for measure in normal:
        for match in _value_expression(measure.unit).finditer(clause):
            between = clause[: match.start()]
            if any(re.search(other, between, re.IGNORECASE) for other in measure.other_measures):
                continue
            values.append(float(match.group(1).replace(",", ".")) < measure.normal_below)
    return bool(values) and all(values)


def told_in_general(text: str, mention: Mention, rules: PhenotypeRules) -> bool:
    """Whether ``mention`` is named as what is so in general or what a treatment is for, not as
    the patient's (``general_phrases_before`` / ``general_phrases_after``): 'the most common
    benign lesion of the spleen is a hemangioma', 'approved for the treatment of cellulitis'."""
    return _told_around(rules.general_phrases_before, rules.general_phrases_after, text, mention)


def told_as_worry(text: str, mention: Mention, rules: PhenotypeRules) -> bool:
    """Whether ``mention`` is named as what someone fears or is concerned about
    (``worry_phrases_before``): 'she was concerned about alopecia'."""
    return _told_around(rules.worry_phrases_before, (), text, mention)


def told_of_person(text: str, start: int, end: int, rules: PhenotypeRules) -> bool:
    """Whether the words at ``[start, end)`` are told of the person by a copula, alone or in a
    list of single words ("was pale, tachycardic and hypotensive"), and end their phrase or
    come before an ``adjective_followers`` word (``PhenotypeRules.copulas``)."""
    if not rules.copulas:
        return False
    before, after = _predicate_patterns(
        tuple(rules.copulas), tuple(rules.degree_words), tuple(rules.adjective_followers)
    )
    return (
        before.search(text, max(0, start - _PREDICATE_REACH), start) is not None
        and after.match(text, end) is not None
    )


_PREDICATE_REACH = 160
"""How many characters before an adjective ``told_of_person`` reads for its copula and list."""


@cache
def _predicate_patterns(
    copulas: tuple[str, ...], degrees: tuple[str, ...], followers: tuple[str, ...]
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What comes before an adjective told of the person (a copula, an adverb, a list of single
    words) and what may come after it (the end of its phrase or a follower word)."""
    adverb = rf"(?:(?:{'|'.join(map(re.escape, degrees))}|[a-z]+ly)\s+)?" if degrees else ""
    listed = rf"[a-z]+(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+){adverb}"
    before = re.compile(
        rf"\b(?:{'|'.join(map(re.escape, copulas))})\s+{adverb}(?:{listed})*$", re.IGNORECASE
    )
    after = re.compile(
        rf"[ \t]*(?:$|[^\w \t-]|(?:{'|'.join(map(re.escape, followers))})\b)", re.IGNORECASE
    )
    return before, after


def names_other_thing(text: str, end: int, rules: PhenotypeRules) -> bool:
    """Whether the words right after a phenotype ending at ``end`` make it part of another
    thing's name (``naming_phrases_after``)."""
    naming = _one_expression(tuple(rules.naming_phrases_after))
    return naming is not None and naming.match(text, end) is not None


def names_an_action(text: str, start: int, rules: PhenotypeRules) -> bool:
    """Whether the words right before a phenotype starting at ``start`` make it an action the
    patient can or cannot do (``ability_phrases_before``): "inability to [open mouth]"."""
    ability = _one_expression(tuple(rules.ability_phrases_before))
    return (
        ability is not None
        and ability.search(text, max(0, start - _BEFORE_REACH), start) is not None
    )


def names_a_cause(text: str, start: int, rules: PhenotypeRules) -> bool:
    """Whether the words right before a phenotype starting at ``start`` make it the disease a
    gene causes (``cause_phrases_before``): "the gene causing [glutaric aciduria]"."""
    cause = _one_expression(tuple(rules.cause_phrases_before))
    return cause is not None and cause.search(text, max(0, start - _CAUSE_REACH), start) is not None


_CAUSE_REACH = 80
"""How many characters before a phenotype ``names_a_cause`` reads for the gene it is told of."""


def acts_on_a_thing(
    text: str,
    start: int,
    end: int,
    rules: PhenotypeRules,
    generator: CandidateGenerator,
    kb: KnowledgeBase,
    concept_ids: Sequence[str],
) -> bool:
    """Whether the words at ``[start, end)`` open with a word of one of the concepts' aliases
    right before a determiner and the words after it (``PhenotypeRules.object_determiners``):
    the word is then a verb acting on a thing, "[raised the blood pressure]" what someone did
    to it, no finding of the patient's. A determiner is read in small letters only: the "A"
    of "type A aortic dissection" names a type."""
    if not rules.object_determiners:
        return False
    told = _determiner_after(tuple(rules.object_determiners)).match(text, start, end)
    if told is None:
        return False
    word = told.group(1).lower()
    if word in _lowered(tuple(rules.determiner_companions)):
        return False
    key = normalize_token(word)
    key = generator.word_forms.get(key, key)
    return any(key in _alias_words(kb, generator, c) for c in concept_ids if c in kb)


@cache
def _determiner_after(determiners: tuple[str, ...]) -> re.Pattern[str]:
    """A word, then a determiner of ``determiners`` in small letters with a word after it."""
    alternatives = "|".join(re.escape(d.lower()) for d in determiners)
    return re.compile(rf"([A-Za-z][A-Za-z-]*)[ \t]+(?:{alternatives})[ \t]+(?=[A-Za-z0-9])")


def _alias_words(
    kb: KnowledgeBase, generator: CandidateGenerator, concept_id: str
) -> frozenset[str]:
    """The words of a concept's aliases as the alias matcher reads them."""
    forms = generator.word_forms
    return frozenset(
        forms.get(w, w) for alias in kb.concept(concept_id).aliases for w in normalize_tokens(alias)
    )


_LEAST_INITIALS = 3
"""The fewest capitals read as another thing's initials: "PICA", not the "MI" HPO spells so."""

_BEFORE_REACH = 40
"""How many characters before a phenotype ``names_an_action`` and ``names_a_dimension`` read:
longer than "could not fully" or "12.5 cm" and the like."""


def names_a_goal(text: str, mention: Mention, rules: PhenotypeRules) -> bool:
    """Whether a phenotype mention is what a treatment is given to bring about: 'to' and a
    ``goal_verbs`` verb right before it or opening it ('to [promote weight gain]')."""
    if not rules.goal_verbs:
        return False
    goal = _goal_expression(tuple(rules.goal_verbs))
    before = text[max(0, mention.start - _BEFORE_REACH) : mention.start]
    if goal.search(before) is not None:
        return True
    first = mention.text.split(maxsplit=1)[0].lower() if mention.text.strip() else ""
    return first in rules.goal_verbs and _TO_BEFORE.search(before) is not None


@cache
def _goal_expression(verbs: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"\bto\s+(?:" + "|".join(re.escape(v) for v in verbs) + r")\s+"
        # Up to two qualifiers ("proper pupillary"), or one goal named before "and" ("to
        # stimulate appetite and weight gain").
        r"(?:(?:a|an|the|more|further|adequate|proper|sufficient|better|optimal"
        r"|[a-z]+(?:ly|al|ary|ic|ous|ive))\s+){0,2}(?:[a-z]+\s+(?:and|or)\s+)?$",
        re.IGNORECASE,
    )


_VALUE_REACH = 60
"""How many characters after a finding ``normal_values`` read: "(pulse rate: 100 beats/min)",
"increased from 60 to 82 beats/min"."""


@cache
def _value_expression(unit: str) -> re.Pattern[str]:
    """A number (with a decimal point or comma: '38,5 °C') right before the unit."""
    return re.compile(rf"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(?:{unit})", re.IGNORECASE)


_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s+$")
"""The word right before a mention."""

_TOLD_AFTER = re.compile(
    r"(?:\s+(?:and|or)\s+[A-Za-z-]+)?\s+(?:was|were|is|are|appeared|became)\s+"
    r"(?:[a-z]+ly\s+)?([A-Za-z]+)",
    re.IGNORECASE,
)
"""What a verb of being tells of a mention, perhaps with another thing joined to it ("overbite
and overjet [were increased]")."""

_TO_A_VALUE = re.compile(
    r"(?:[ \t]+[a-z]+)?[ \t]+(?:from[ \t]+\S+(?:[ \t]+[^\s\d]+)?[ \t]+)?to[ \t]+[\d.,]",
    re.IGNORECASE,
)
"""A value a measure fell to, right after the words telling the fall ("[decreased] gradually
to 20,000", "[fell] from 12 g/dL to 7")."""

_TO_BEFORE = re.compile(r"\bto\s+$", re.IGNORECASE)
"""'to' right before a mention that opens with a goal verb."""


def names_a_dimension(text: str, start: int, end: int, rules: PhenotypeRules) -> bool:
    """Whether the phenotype at ``[start, end)`` opens with a size word told right after a
    measure, a thing's size rather than a finding (``PhenotypeRules.dimension_words``): "8-cm
    [long penis]"."""
    words = text[start:end].split(maxsplit=1)
    if not words or words[0].lower() not in _lowered(tuple(rules.dimension_words)):
        return False
    measure = _measure_before(tuple(rules.measure_units))
    return measure is not None and (
        measure.search(text, max(0, start - _BEFORE_REACH), start) is not None
    )


@cache
def _lowered(words: tuple[str, ...]) -> frozenset[str]:
    """``words`` in lower case."""
    return frozenset(w.lower() for w in words)


@cache
def _measure_before(units: tuple[str, ...]) -> re.Pattern[str] | None:
    """A number and a unit of length ending right before a position ("8-cm ", "3 mm ")."""
    if not units:
        return None
    alternatives = "|".join(map(re.escape, sorted(units, key=len, reverse=True)))
    return re.compile(rf"\d\s*-?\s*(?:{alternatives})\.?[\s-]+$", re.IGNORECASE)


def _denied_words(text: str) -> set[str]:
    """The words "non", "pseudo", "anti" or "pre" deny in ``text`` ("projectile" of
    "non-projectile vomiting", "hyponatremia" of "pseudo-hyponatremia", "tumor" of "anti-tumor
    therapy", "syncope" of "pre-syncope"), "sub" or "near" tell short of ("nephrotic" of
    "sub-nephrotic range proteinuria", "syncope" of "near-syncope"), or "para", "peri" or
    "juxta" put beside ("ovarian" of "para-ovarian cyst"); a concept whose own name denies
    them ("Non-Hodgkin lymphoma", "Intestinal pseudo-obstruction", "Preeclampsia") may still
    be read."""
    words = normalize_tokens(text)
    return {
        after for before, after in zip(words, words[1:], strict=False) if before in _DENYING_WORDS
    }


_NAME_LETTER_A = re.compile(r"\b([^\W\d_]{3,}) A(?=[\s,;.)]|$)")
"""A word a concept's name follows by the capital letter "A" ("Vitamin A deficiency",
"Decreased immunoglobulin A"): normalising drops it as the article "a"."""

_WORD = re.compile(r"[^\W_]+")
"""A run of letters or digits."""

_POSSESSIVE = re.compile(r"(?<=[^\W\d_])['’]s\b")
"""A possessive's "'s" ("Meckel's diverticulum")."""

_DENYING_WORDS = frozenset({"non", "pseudo", "anti", "pre", "sub", "near", "para", "peri", "juxta"})
"""Words that deny the word they are joined to, tell it short of its degree, or put a place
beside it: a "para-ovarian cyst" lies beside the ovary, no ovarian cyst, and a "sub-nephrotic"
proteinuria falls short of the nephrotic range."""

_DENIED_BY_JOINED_WORD = re.compile(
    r"(?<![a-z])(?:(?:non|pseudo|anti|pre)[- ]?|(?:sub|near|para|peri|juxta)-)$", re.IGNORECASE
)
"""A word of ``_DENYING_WORDS`` joined to the words after it; "sub", "near" and those putting a
place beside them by a hyphen only, as "para" alone also counts a woman's births and "near"
alone tells a place ("pain near the knee")."""


def acronym_ends_a_compound(text: str, start: int, end: int) -> bool:
    """Whether the words at ``[start, end)`` are an acronym of capitals joined by a hyphen to the
    word before it: the "RAD" of the maker "BIO-RAD" is part of a name, no right axis
    deviation."""
    return (
        start >= 2
        and text[start - 1] == "-"
        and text[start - 2].isalnum()
        and text[start:end].isalpha()
        and text[start:end].isupper()
    )


def denied_by_joined_word(text: str, start: int) -> bool:
    """Whether a word of ``_DENYING_WORDS`` is joined to the phenotype starting at ``start``: a
    "non-ST-segment elevation myocardial infarction" is no ST segment elevation, a
    "pseudo-hyponatremia" (a measuring artefact) no hyponatremia, a "pseudo aneurysm" (a
    contained rupture) no aneurysm, an "anti-tumor" effect no tumor, a "pre-syncope" (a
    faintness) no syncope and a "para-uterine mass" (beside the uterus) no uterine mass."""
    return _DENIED_BY_JOINED_WORD.search(text, max(0, start - 7), start) is not None


def direction_words(rules: PhenotypeRules) -> frozenset[str]:
    """The words that give a measure's direction ("low", "elevated" and the forms they match
    as), normalised as aliases are."""
    return frozenset(normalize_alias(w) for pair in rules.word_forms.items() for w in pair)


def other_sense_keys(rules: PhenotypeRules) -> frozenset[str]:
    """The rules' ``other_senses``, normalised as aliases are."""
    return frozenset(normalize_alias(word) for word in rules.other_senses)


class PhenotypeCoder:
    """Codes finding mentions and the case into HPO (see the module docstring).

    Args:
        rules: A packaged rule file name or a path to one's own.
        kb: The knowledge base; by default the packaged HPO Phenotypic abnormality subtree.

    Raises:
        CasebookError: ``CB-E012`` when the rule file or the HPO file is missing or invalid.
    """

    name = "phenotypes"
    requires: frozenset[str] = frozenset({"text", "sentences", "sections", "mentions"})
    assigns: frozenset[str] = frozenset({"mentions.codes.hpo", "codes.hpo"})

    def __init__(
        self,
        rules: str | Path = RULES,
        kb: KnowledgeBase | None = None,
    ) -> None:
        if rules == RULES and kb is None:
            self.rules, self.kb, self.generator = packaged_matcher()
            self.adjectives = packaged_adjectives()
        else:
            self.rules = load_rules(rules, PhenotypeRules)
            self.kb = kb if kb is not None else with_added_synonyms(load_hpo(), self.rules)
            self.generator = build_generator(self.rules, self.kb)
            self.adjectives = adjective_keys(kb if kb is not None else load_hpo(), self.rules)
        self.mention_policy = LinkingPolicy(
            threshold=self.rules.mention_threshold, max_accepted=1, prune_ancestors=True
        )
        self._types = frozenset(self.rules.mention_types)
        self._excluded = frozenset(self.rules.excluded_assertions)
        self._grouping = [re.compile(p) for p in self.rules.grouping_names]
        self._other_senses = other_sense_keys(self.rules)
        self._lettered: dict[str, frozenset[str]] = {}
        self._sides = frozenset(w.lower() for w in self.rules.side_words)
        self._generic = frozenset(w for g in self.rules.generic_words for w in normalize_tokens(g))
        self._other_sense_words = {
            concept: frozenset(w for word in words for w in normalize_tokens(word))
            for concept, words in self.rules.other_sense_words.items()
        }
        missing = [
            c
            for c in [
                *self.rules.organ_senses,
                *self.rules.person_trait_roots,
                *self.rules.growth_roots,
                *self.rules.developmental_roots,
                *self.rules.recovery_concepts,
                *self.rules.level_roots,
                *self.rules.sensation_concepts,
                *self.rules.induced_concepts,
                *self.rules.graded_concepts,
                *self.rules.normal_values,
            ]
            if c not in self.kb
        ]
        if missing:
            raise CasebookError(
                ErrorCode.INVALID_RESOURCE, f"phenotype rules name unknown concepts: {missing}"
            )
        self._organ_senses = {
            concept: (_normalized_words(sense.own_words), _normalized_words(sense.other_words))
            for concept, sense in self.rules.organ_senses.items()
        }
        self._trait_roots = frozenset(self.rules.person_trait_roots)
        self._developmental_roots = frozenset(self.rules.developmental_roots)
        self._development_words = _normalized_words(self.rules.development_words)
        self._tissue: frozenset[str] | None = None
        self._growth: frozenset[str] | None = None
        self._course_words = _normalized_words(self.rules.course_words)
        self._sufficiency = _normalized_words(self.rules.sufficiency_words)
        self._recovery_concepts = frozenset(self.rules.recovery_concepts)
        self._level_roots = frozenset(self.rules.level_roots)
        self._fall_after = (
            re.compile(
                rf"\S\s+(?:{'|'.join(map(re.escape, self.rules.fall_verbs))})$", re.IGNORECASE
            )
            if self.rules.fall_verbs
            else None
        )
        self._sensation_concepts = frozenset(self.rules.sensation_concepts)
        self._induced_concepts = frozenset(self.rules.induced_concepts)
        self._birth_words = _normalized_words(self.rules.birth_words)
        self._qualifiers = _qualifier_words(tuple(self.rules.name_qualifiers))
        self._grading_words = {
            concept: _normalized_words(words)
            for concept, words in self.rules.graded_concepts.items()
        }
        self._depth: dict[str, int] = {}
        self._codable: dict[str, bool] = {}
        self._narrower_by_concept: dict[str, frozenset[str]] = {}
        self._signs: dict[str, bool] = {}
        self._vocabulary: Icd10cmVocabulary | None = None

    def __call__(self, case: Case) -> Case:
        """Code the case's finding mentions and set its HPO ``codes``."""
        who = default_non_clinical()
        mentions = [
            _without_hpo(m)
            if any(c.system is CodeSystem.HPO for c in m.codes)
            and (
                who.is_who(normalize_tokens(m.text))
                or names_other_thing(case.text, m.end, self.rules)
                or names_an_action(case.text, m.start, self.rules)
                or names_a_cause(case.text, m.start, self.rules)
                or names_a_dimension(case.text, m.start, m.end, self.rules)
                or self._capitals_of_a_word(m)
                or spelled_in_other_sense(case.text, m.start, m.end, self.rules)
                or acronym_ends_a_compound(case.text, m.start, m.end)
                or acts_on_a_thing(
                    case.text,
                    m.start,
                    m.end,
                    self.rules,
                    self.generator,
                    self.kb,
                    [c.code for c in m.codes if c.system is CodeSystem.HPO],
                )
                or self.qualifies_a_thing(case.text, *_marked_span(m))
            )
            else m
            for m in (
                self._link(m, case.text) if m.type in self._types else m for m in case.mentions
            )
        ]
        case = case.model_copy(update={"mentions": mentions})
        weigher = _Weigher(case, self.rules)
        sentences = sorted(case.sentences, key=lambda s: s.start)
        sentence_starts = [s.start for s in sentences]
        evidence: list[_Evidence] = []
        adult = (
            case.patient.age_years is not None
            and case.patient.age_years >= self.rules.adult_age_years
        )
        for mention in mentions:
            if mention.assertion in self._excluded:
                continue
            hpo = [c.code for c in mention.codes if c.system is CodeSystem.HPO]
            if not hpo:
                continue
            # "Sensorineural hearing loss" is evidence for itself, not for the "Hearing loss"
            # its words hold too: of one mention's concepts, only the most specific count.
            broader = {a for c in hpo if c in self.kb for a in self.kb.ancestors(c)}
            for code in mention.codes:
                if (
                    code.system is CodeSystem.HPO
                    and code.code not in broader
                    and not self._in_other_sense(code.code, case.text, mention)
                    and not self._names_a_disease(code.code, case.text, mention)
                    and not self._of_another_organ(
                        code.code, case.text, mention, sentences, sentence_starts
                    )
                    and not self._in_tissue_sense(code.code, case.text, mention, mentions)
                    and not names_a_goal(case.text, mention, self.rules)
                    and not told_in_general(case.text, mention, self.rules)
                    and not told_as_worry(case.text, mention, self.rules)
                    and not self._sufficiency_told(code.code, case.text, mention)
                    and not self._sensation_tested(code.code, case.text, mention)
                    and not self._induced(code.code, case.text, mention)
                    and not self._acquired(
                        code.code, case.text, mention, sentences, sentence_starts
                    )
                    and not self._told_normal(code.code, case.text, mention)
                    and not self._told_as_recovery(
                        code.code, case.text, mention, sentences, sentence_starts
                    )
                    and not self._told_as_fall(code.code, case.text, mention)
                    and not gainsaid_by_value(
                        code.code, case.text, mention, sentences, sentence_starts, self.rules, adult
                    )
                    and not (adult and self._undeveloped_in_words(code.code, mention))
                ):
                    weight = weigher.weight(mention.start, mention.end) * code.score
                    evidence.append(
                        _Evidence(code.code, mention.start, mention.end, weight, mention.id)
                    )
        codes = [c for c in case.codes if c.system is not CodeSystem.HPO]
        return case.model_copy(update={"codes": codes + self._accept(evidence)})

    @property
    def generic_words(self) -> frozenset[str]:
        """The normalised ``generic_words``, read as the matcher reads words
        (``word_forms``)."""
        forms = self.generator.word_forms
        return frozenset(forms.get(w, w) for w in self._generic)

    def drops_a_name_letter(self, text: str, concept_id: str) -> bool:
        """Whether ``text`` says a word the concept's names follow by the letter "A" (an
        article to the matcher) and never that letter after it: "low levels of vitamins" or
        "low immunoglobulin levels" name no "vitamin A" or "immunoglobulin A", while "IgA
        deficiency" spells no such word and "vitamin A and D" the letter."""
        lettered = self._lettered.get(concept_id)
        if lettered is None:
            lettered = self._lettered[concept_id] = frozenset(
                normalize_token(word.lower())
                for alias in self.kb.concept(concept_id).aliases
                for word in _NAME_LETTER_A.findall(alias)
            )
        if not lettered:
            return False
        words = _WORD.findall(text)
        said = [i for i, word in enumerate(words) if normalize_token(word.lower()) in lettered]
        return bool(said) and not any(
            i + 1 < len(words) and words[i + 1] in ("A", "a") for i in said
        )

    def qualifies_a_thing(self, text: str, start: int, end: int) -> bool:
        """Whether the words at ``[start, end)`` are an adjective derived from a concept's name
        (``adjective_endings``) not told of the person (``told_of_person``): "hypotonic" of
        "hypotonic saline"."""
        return normalize_alias(text[start:end]) in self.adjectives and not told_of_person(
            text, start, end, self.rules
        )

    def _capitals_of_a_word(self, mention: Mention) -> bool:
        """Whether the mention is one word in capitals, no short form the text defines, that
        HPO spells only in small letters: "PICA", the posterior inferior cerebellar artery, is
        another thing's initials, no Pica."""
        words = mention.text
        if mention.expansion is not None or not (
            len(words) >= _LEAST_INITIALS and words.isalpha() and words.isupper()
        ):
            return False
        concepts = [c.code for c in mention.codes if c.system is CodeSystem.HPO]
        return not any(
            alias == words for c in concepts if c in self.kb for alias in self.kb.concept(c).aliases
        )

    def _undeveloped_in_words(self, concept_id: str, mention: Mention) -> bool:
        """Whether the concept is a delay of development (``developmental_roots``) that the
        mention's words name without a development or its delay (``development_words``)."""
        if not self._developmental_roots or self._development_words.intersection(
            normalize_tokens(mention.text)
        ):
            return False
        return concept_id in self._developmental_roots or bool(
            self._developmental_roots & self.kb.ancestors(concept_id)
        )

    def _in_other_sense(self, concept_id: str, text: str, mention: Mention) -> bool:
        """Whether the mention's words, the words right before them (two, where the nearer is
        no function word: "vertebral body edema") or the phrase right after them give its
        finding another sense than the concept's (``PhenotypeRules.other_sense_words``)."""
        words_of_other_sense = self._other_sense_words.get(concept_id)
        if words_of_other_sense is None:
            return False
        before = ""
        told = _TWO_WORDS_BEFORE.search(text, max(0, mention.start - _WORD_REACH), mention.start)
        if told is not None:
            nearer = told.group(2)
            farther = told.group(1) if nearer.lower() not in _FUNCTION_WORDS else None
            before = f"{farther or ''} {nearer}"
        after = _PHRASE_AFTER.match(text, mention.end)
        words = normalize_tokens(" ".join([mention.text, before, after.group(0) if after else ""]))
        return any(w in words_of_other_sense for w in words)

    def _names_a_disease(self, concept_id: str, text: str, mention: Mention) -> bool:
        """Whether the mention's words, with the two words right before them, hold a disease's
        name holding the concept's sign (``PhenotypeRules.disease_chapters``): words said, in
        their order, in the title of every ICD-10-CM code an alias holding them names, all in a
        disease's chapter ("Rheumatic fever without heart involvement" I00; "Q fever" of "acute
        Q fever", A78), or a whole alias of such codes holding a proper name ("West Nile
        fever")."""
        if not self.rules.disease_chapters or not self._is_sign(concept_id):
            return False
        names = {alias_words(alias) for alias in self.kb.concept(concept_id).aliases}
        before = _TWO_WORDS_BEFORE.search(text, max(0, mention.start - _WORD_REACH), mention.start)
        said = content_words(f"{before.group(0) if before else ''} {mention.text}")
        narrower = self._narrower_words(concept_id)
        phrases = {
            tuple(said[start:stop])
            for start in range(len(said))
            for stop in range(start + 2, len(said) + 1)
        }
        start = before.start() if before else mention.start
        proper = frozenset(
            w
            for word in _PROPER_WORD.findall(text, start, mention.end)
            for w in normalize_tokens(word)
        )
        return any(self._disease_title(phrase, names, narrower, proper) for phrase in phrases)

    def _disease_title(
        self,
        phrase: tuple[str, ...],
        names: set[frozenset[str]],
        narrower: frozenset[str],
        proper: frozenset[str] = frozenset(),
    ) -> bool:
        """Whether ``phrase``, holding one of a sign's ``names`` and besides no word of its
        ``narrower`` concepts and not only ``name_qualifiers``, is said in the titles of
        ICD-10-CM codes of diseases only, or is the whole of an ICD-10-CM alias of such codes
        with a word besides the sign's that the text capitalises within a sentence
        (``proper``), a proper name."""
        words = frozenset(phrase)
        holding = [name for name in names if name < words]
        if not holding or words in names:
            return False
        besides = words - frozenset().union(*holding)
        # A course or a site's side told of the sign ('recurrent seizures' of G40 Epilepsy and
        # recurrent seizures, 'chronic pain' of G89.29) is the sign, not the disease.
        if besides & narrower or besides <= self._qualifiers:
            return False
        vocabulary = self._icd10cm()
        ordered = f" {' '.join(phrase)} "
        # The keys holding all the words hold any one of them.
        codes = {
            code
            for key in vocabulary.keys_with_word.get(phrase[0], ())
            if words <= set(key.split(" "))
            for code in vocabulary.aliases[key]
            if ordered in f" {' '.join(content_words(vocabulary.titles.get(code, '')))} "
        }
        if not codes:
            # A disease the Index or an inclusion term names, not its code's title ("Familial
            # Mediterranean fever" of M04.1 Periodic fever syndromes, "West Nile fever" of
            # A92.3), when the words are that name's whole and one of the words besides the
            # sign's is a proper name, a place or a person, not a site or a kind of the sign
            # ("oral pain", "recurrent seizure" are Index names too).
            codes = set(vocabulary.aliases.get(" ".join(sorted(words)), ()))
            if not besides & proper:
                return False
        return bool(codes) and all(c.startswith(tuple(self.rules.disease_chapters)) for c in codes)

    def _is_sign(self, concept_id: str) -> bool:
        """Whether ICD-10-CM codes the concept's name in ``sign_chapters`` only, remembered."""
        known = self._signs.get(concept_id)
        if known is None:
            codes = self._icd10cm().named(alias_words(self.kb.concept(concept_id).name))
            sign = tuple(self.rules.sign_chapters)
            known = self._signs[concept_id] = bool(codes) and all(c.startswith(sign) for c in codes)
        return known

    def _narrower_words(self, concept_id: str) -> frozenset[str]:
        """The words of the aliases of the concept's descendants."""
        known = self._narrower_by_concept.get(concept_id)
        if known is None:
            known = frozenset(
                word
                for descendant in self.kb.descendants(concept_id)
                for alias in self.kb.concept(descendant).aliases
                for word in alias_words(alias)
            )
            self._narrower_by_concept[concept_id] = known
        return known

    def _icd10cm(self) -> Icd10cmVocabulary:
        """ICD-10-CM, read when a sign is first looked up in it."""
        if self._vocabulary is None:
            self._vocabulary = load_icd10cm()
        return self._vocabulary

    def _of_another_organ(
        self,
        concept_id: str,
        text: str,
        mention: Mention,
        sentences: Sequence[Span],
        sentence_starts: Sequence[int],
    ) -> bool:
        """Whether the mention's sentence names another organ its words may be of and not the
        concept's own (``PhenotypeRules.organ_senses``)."""
        if not self._organ_senses:
            return False
        senses = [
            (own, other)
            for concept, (own, other) in self._organ_senses.items()
            if concept == concept_id
            or (
                self.rules.organ_senses[concept].narrower
                and concept in self.kb.ancestors(concept_id)
            )
        ]
        if not senses:
            return False
        sentence = _sentence_at(mention.start, sentences, sentence_starts)
        if sentence is None or mention.end > sentence.end:
            return False
        said = set(normalize_tokens(text[sentence.start : sentence.end]))
        return any(said & other and not said & own for own, other in senses)

    def _in_tissue_sense(
        self, concept_id: str, text: str, mention: Mention, mentions: Sequence[Mention]
    ) -> bool:
        """Whether a trait of the person's mind or behaviour is told of a tissue: a body
        structure (one no such trait names) in the 'of' phrase right after it, or the mention
        only qualifying another coded finding it opens (``PhenotypeRules.person_trait_roots``)."""
        if not self._trait_roots or not self._is_trait(concept_id):
            return False
        complement = _OF_PHRASE.match(text, mention.end)
        if complement and self._tissue_words().intersection(normalize_tokens(complement.group(1))):
            return True
        if self._course_words.intersection(normalize_tokens(mention.text)):
            start = max(0, mention.start - _WITH_REACH)
            told_with = _WITH_BEFORE.search(text, start, mention.start)
            if told_with and self._names_a_growth(told_with.group(1)):
                return True
        return any(self._qualifies(mention, other, text) for other in mentions)

    def _tissue_words(self) -> frozenset[str]:
        """The words naming a body structure (``casebook.kb.heads``) that no alias of a trait of
        the person's holds: 'nerve', not the 'cognitive' of Cognitive impairment."""
        if self._tissue is None:
            traits = {
                word
                for key, concepts in self.kb.aliases.items()
                if any(self._is_trait(c) for c in concepts)
                for word in key.split(" ")
            }
            self._tissue = frozenset(load_head_words().body - traits)
        return self._tissue

    def _names_a_growth(self, word: str) -> bool:
        """Whether ``word`` heads a growth's name, or ends as a long one does: a
        'carcinosarcoma' is a sarcoma."""
        words = normalize_tokens(word)
        if not words:
            return False
        growths = self._growth_words()
        return words[-1] in growths or any(
            words[-1].endswith(g) for g in growths if len(g) >= _GROWTH_SUFFIX_CHARS
        )

    def _sufficiency_told(self, concept_id: str, text: str, mention: Mention) -> bool:
        """Whether a word of ``sufficiency_words`` right before the mention or among its words
        tells an amount no alias of the concept names ('inadequate weight gain')."""
        if not self._sufficiency or concept_id not in self.kb:
            return False
        told = self._sufficiency.intersection(normalize_tokens(mention.text))
        before = _WORD_BEFORE.search(text, max(0, mention.start - _BEFORE_REACH), mention.start)
        if before is not None:
            told |= self._sufficiency.intersection(normalize_tokens(before.group(1)))
        if not told:
            return False
        named = {w for a in self.kb.concept(concept_id).aliases for w in normalize_tokens(a)}
        return bool(told - named)

    def _told_normal(self, concept_id: str, text: str, mention: Mention) -> bool:
        """Whether a concept of ``graded_concepts`` is told without a word grading it beyond
        normal among the mention's words, right before them or told of them after them
        ("overbite and overjet [were increased]"): an examination's normal or a measure."""
        grading = self._grading_words.get(concept_id)
        if grading is None:
            return False
        words = set(normalize_tokens(mention.text))
        before = _WORD_BEFORE.search(text, max(0, mention.start - _BEFORE_REACH), mention.start)
        if before is not None:
            words.update(normalize_tokens(before.group(1)))
        told = _TOLD_AFTER.match(text, mention.end)
        if told is not None:
            words.update(normalize_tokens(told.group(1)))
        return not grading & words

    def _induced(self, concept_id: str, text: str, mention: Mention) -> bool:
        """Whether a state of ``induced_concepts`` is told as one a procedure or a treatment
        induces (``induced_phrases_before``, ``induced_phrases_after``): 'performed under
        cardiac arrest', 'cardiac arrest was obtained using St. Thomas solution'."""
        return concept_id in self._induced_concepts and _told_around(
            self.rules.induced_phrases_before, self.rules.induced_phrases_after, text, mention
        )

    def _acquired(
        self,
        concept_id: str,
        text: str,
        mention: Mention,
        sentences: Sequence[Span],
        sentence_starts: Sequence[int],
    ) -> bool:
        """Whether a concept whose name says it was there from birth (``birth_words``) is
        matched in a sentence that does not say so and tells an injury or an operation
        (``acquired_causes``)."""
        birth = self._birth_words
        if concept_id not in self.kb or not birth & set(
            normalize_tokens(self.kb.concept(concept_id).name)
        ):
            return False
        causes = _one_expression(tuple(self.rules.acquired_causes))
        sentence = _sentence_at(mention.start, sentences, sentence_starts)
        if causes is None or sentence is None:
            return False
        start, end = sentence.start, max(sentence.end, mention.end)
        return (
            not birth & set(normalize_tokens(text[start:end]))
            and causes.search(text, start, end) is not None
        )

    def _sensation_tested(self, concept_id: str, text: str, mention: Mention) -> bool:
        """Whether a sensation of ``sensation_concepts`` is told as a sense tested or a stimulus
        (``sensation_phrases_before``, ``sensation_phrases_after``): 'withdrawing to pain'."""
        return concept_id in self._sensation_concepts and _told_around(
            self.rules.sensation_phrases_before, self.rules.sensation_phrases_after, text, mention
        )

    def _told_as_recovery(
        self,
        concept_id: str,
        text: str,
        mention: Mention,
        sentences: Sequence[Span],
        sentence_starts: Sequence[int],
    ) -> bool:
        """Whether a gain of ``recovery_concepts`` is told as the patient's recovery
        (``told_as_recovery``)."""
        if concept_id not in self._recovery_concepts:
            return False
        return told_as_recovery(text, mention, sentences, sentence_starts, self.rules)

    def _told_as_fall(self, concept_id: str, text: str, mention: Mention) -> bool:
        """Whether a level of ``level_roots`` is told as a fall by a verb after the measure
        (``fall_verbs``) and not to a value."""
        if (
            self._fall_after is None
            or not self._fall_after.search(mention.text)
            or _TO_A_VALUE.match(text, mention.end)
        ):
            return False
        return bool(self._level_roots & (self.kb.ancestors(concept_id) | {concept_id}))

    def _growth_words(self) -> frozenset[str]:
        """The head words of the growths' names (``PhenotypeRules.growth_roots``) that no alias
        of a trait of the person's holds: 'carcinosarcoma', 'tumor'."""
        if self._growth is None:
            roots = frozenset(self.rules.growth_roots)
            traits = {
                word
                for key, concepts in self.kb.aliases.items()
                if any(self._is_trait(c) for c in concepts)
                for word in key.split(" ")
            }
            self._growth = (
                frozenset(
                    head_word(words)
                    for concept in self.kb.concepts.values()
                    if roots and (concept.id in roots or roots & self.kb.ancestors(concept.id))
                    for alias in concept.aliases
                    if (words := normalize_tokens(alias))
                )
                - traits
            )
        return self._growth

    def _is_trait(self, concept_id: str) -> bool:
        """Whether a concept is a trait of the person's mind or behaviour."""
        return concept_id in self._trait_roots or bool(
            self._trait_roots & self.kb.ancestors(concept_id)
        )

    def _qualifies(self, mention: Mention, other: Mention, text: str) -> bool:
        """Whether ``mention`` opens ``other``, a longer finding coded only with concepts that
        are no traits of the person's, with no coordination between them: the words qualify
        that finding ("irritable myopathy")."""
        if (
            other.type not in self._types
            or other.start > mention.start
            or other.end <= mention.end
            or _COORDINATION.search(text, mention.end, other.end)
        ):
            return False
        codes = [c.code for c in other.codes if c.system is CodeSystem.HPO]
        return bool(codes) and not any(self._is_trait(c) for c in codes)

    def link(self, text: str) -> list[Candidate]:
        """The HPO candidates this coder would put on a mention reading ``text``: those of its
        words, or of its words after a side ("right CTS", "left hemiparesis": HPO names no side)
        when those fit better (see ``link_words``)."""
        accepted = self.link_words(text)
        if (not accepted or accepted[0].score < 1.0) and _POSSESSIVE.search(text):
            # Vocabularies list most eponyms without the "'s" ("Non-Hodgkin lymphoma", which
            # "non-Hodgkin's lymphoma" had tied with "Hodgkin's lymphoma" for).
            plain = self.link_words(_POSSESSIVE.sub("", text))
            if plain and (not accepted or plain[0].score > accepted[0].score):
                accepted = plain
        words = text.strip().split(maxsplit=1)
        if (
            len(words) == 2
            and words[0].lower() in self._sides
            and (not accepted or accepted[0].score < 1.0)
        ):
            bare = self.link_words(words[1])
            if bare and (not accepted or bare[0].score > accepted[0].score):
                return bare
        return accepted

    def link_words(self, text: str) -> list[Candidate]:
        """The HPO candidates of ``text``'s words.

        A span that fits more than ``max_senses`` concepts equally well is ambiguous ("S3" is
        a heart sound and a vertebra) and gets none, as ambiguous aliases get no text match;
        so does one shorter than ``min_alias_chars``, as in the text: an undefined "CP" may be
        cerebral palsy or a person's initials.
        """
        if len(text.strip()) < self.rules.min_alias_chars:
            return []
        words = text.strip()
        if spelled_in_other_sense(words, 0, len(words), self.rules):
            return []
        candidates = self.generator.candidates(
            text, limit=self.rules.max_senses + 1, min_score=self.rules.mention_threshold
        )
        if len(candidates) > self.rules.max_senses and (
            candidates[0].score == candidates[self.rules.max_senses].score
        ):
            return []
        denied = _denied_words(text)
        kept = [
            c
            for c in candidates
            if not self._overclaims(c, text)
            and not (denied and (denied - _denied_words(c.alias)) & set(normalize_tokens(c.alias)))
            and normalize_alias(c.alias) not in self._other_senses
            and not self.drops_a_name_letter(text, c.concept_id)
            and self.generator.spells(text, c.alias)
            and not self._narrower(c.alias, text)
        ]
        if kept and candidates and kept[0] is not candidates[0]:
            # The text's best reading was left out as too narrow ("Dilated heart right
            # ventricle" for "dilated right ventricle"); a reading without the words it shared
            # with the text ("Dilated ventricles", the brain's) is another sense, not a broader
            # one.
            shared = self._words_of(candidates[0].alias) & self._words_of(text)
            kept = [c for c in kept if shared <= self._words_of(c.alias)]
        return self.mention_policy.accept(self.kb, kept)

    def _overclaims(self, candidate: Candidate, text: str) -> bool:
        """Whether the candidate's concept claims a qualifier the text does not say
        (``overclaims``), unless the alias the text spells says it in other words: HPO's
        "Microcephaly, postnatal" of Secondary microcephaly narrows a broader concept's alias
        ("Microcephaly") by a word the name lacks, where "Urinary tract infections" of
        Recurrent urinary tract infections only drops the name's qualifier."""
        name = self.kb.concept(candidate.concept_id).name
        if not overclaims(name, text, self.rules):
            return False
        alias = self._words_of(candidate.alias)
        restating = alias - self._words_of(name) - self._generic
        if not restating or not restating <= self._words_of(text) or restating == alias:
            return True
        broader = self.generator.word_candidates(tuple(sorted(alias - restating)), 3, 1.0)
        ancestors = self.kb.ancestors(candidate.concept_id)
        return not any(c.score >= 1.0 and c.concept_id in ancestors for c in broader)

    def _words_of(self, text: str) -> set[str]:
        """The words of ``text`` as the alias matcher reads them."""
        forms = self.generator.word_forms
        return {forms.get(w, w) for w in normalize_tokens(text)}

    def _narrower(self, alias: str, text: str) -> bool:
        """Whether ``alias`` holds a word ``text`` lacks that is no generic word: the concept
        it names is narrower than what the text says (``PhenotypeRules.generic_words``)."""
        forms = self.generator.word_forms
        said = {forms.get(w, w) for w in normalize_tokens(text)}
        return any(
            forms.get(w, w) not in said and w not in self._generic for w in normalize_tokens(alias)
        )

    def _link(self, mention: Mention, text: str) -> Mention:
        """``mention`` with this coder's HPO codes, when it finds any and the mention came with
        none: a mention that came with its concept (``casebook.nlp.vocabulary`` recognised a
        phenotype in its words or in wider ones) keeps it."""
        misread = False
        if any(code.system is CodeSystem.HPO for code in mention.codes):
            if not self._misread_short_form(mention):
                return self._narrowed(mention)
            # "liver functional tests (LFT)": the text's own long form says what its short form
            # names, not HPO's acronym ("LFT", Filum terminale lipoma).
            misread = True
            mention = mention.model_copy(
                update={"codes": [c for c in mention.codes if c.system is not CodeSystem.HPO]}
            )
        # "Non" or "pseudo" joined to the mention's words denies them as within them
        # ("pseudo-hyponatremia" of a mention "hyponatremia").
        denial = _DENIED_BY_JOINED_WORD.search(text, max(0, mention.start - 7), mention.start)
        accepted = self.link(
            (denial.group(0) if denial else "") + (mention.expansion or mention.text)
        )
        if not accepted and mention.expansion and not misread:
            accepted = self.link(mention.text)
        if not accepted and mention.core is not None:
            # A whole phrase no HPO term names may hold one ("bilateral subdural effusions"),
            # denied as its words deny it ("B cell Non-[Hodgkin's lymphoma]").
            start = mention.core.start
            denial = _DENIED_BY_JOINED_WORD.search(text, max(0, start - 7), start)
            accepted = self.link((denial.group(0) if denial else "") + mention.marked_text)
        if not accepted:
            return mention
        kept = [c for c in mention.codes if c.system is not CodeSystem.HPO]
        hpo = [self._code(c) for c in accepted]
        if not hpo and len(kept) == len(mention.codes):
            return mention
        return mention.model_copy(update={"codes": kept + hpo})

    def _misread_short_form(self, mention: Mention) -> bool:
        """Whether a short form the text defines came with HPO concepts its long form does
        not name (the concepts of HPO's own acronym for other words)."""
        if mention.expansion is None or not (
            mention.text.isalnum() and is_short_form(mention.text)
        ):
            # A short form expanded in part ("MPO-ANCA" as "myeloperoxidase-ANCA") keeps the
            # concept of its whole.
            return False
        came = {c.code for c in mention.codes if c.system is CodeSystem.HPO}
        named = {c.concept_id for c in self.link(mention.expansion)}
        related = {a for c in named if c in self.kb for a in self.kb.ancestors(c)} | named
        return not came & related

    def _code(self, candidate: Candidate) -> Code:
        """The HPO code a mention carries for ``candidate``."""
        return Code(
            system=CodeSystem.HPO,
            code=candidate.concept_id,
            display=self.kb.concept(candidate.concept_id).name,
            score=candidate.score,
        )

    def _narrowed(self, mention: Mention) -> Mention:
        """A mention that came with its concept and was widened afterwards ("seizures" to
        "tonic-clonic seizures") with the narrower concept its whole words name beside it (as
        the narrower, it is the one the case's codes count)."""
        if mention.core is None:
            return mention
        came = {c.code: c.score for c in mention.codes if c.system is CodeSystem.HPO}
        # A narrower reading must fit the words as well as what the mention came with: "Left
        # hemiplegia" fits "left-sided hemiplegia" less well than "Hemiplegia" does.
        added = [
            self._code(c)
            for c in self.link(mention.text)
            if c.concept_id not in came
            and any(
                c.score >= score
                for concept, score in came.items()
                if concept in self.kb.ancestors(c.concept_id)
            )
        ]
        if not added:
            return mention
        return mention.model_copy(update={"codes": [*mention.codes, *added]})

    def _accept(self, evidence: Sequence[_Evidence]) -> list[CaseCode]:
        """The case codes the evidence supports, best first."""
        by_concept: dict[str, list[_Evidence]] = {}
        for item in evidence:
            by_concept.setdefault(item.concept_id, []).append(item)
        scores: dict[str, float] = {}
        for concept_id, items in by_concept.items():
            if not self._codable_concept(concept_id):
                continue
            missing = 1.0
            for item in items:
                missing *= 1.0 - item.weight
            score = 1.0 - missing
            if score >= self.rules.accept_threshold:
                scores[concept_id] = score
        accepted = set(scores)
        if self.rules.prune_ancestors:
            for concept_id in list(accepted):
                accepted -= self.kb.ancestors(concept_id)
        else:
            # A grouping class gives way to the defect it groups ("abnormal heart morphology
            # with a ventricular septal defect"); told alone ("congenital heart defects",
            # "brain anomalies") it is all the text says.
            for concept_id in list(accepted):
                accepted -= {a for a in self.kb.ancestors(concept_id) if self._is_grouping(a)}
        codes: list[CaseCode] = []
        for concept_id in sorted(accepted, key=lambda c: (-scores[c], c)):
            items = [i for i in by_concept[concept_id] if i.weight > 0]
            spans = sorted({(i.start, i.end) for i in items})
            mention_ids = sorted({i.mention_id for i in items})
            codes.append(
                CaseCode(
                    system=CodeSystem.HPO,
                    code=concept_id,
                    display=self.kb.concept(concept_id).name,
                    score=round(min(scores[concept_id], 1.0), 4),
                    evidence=[Span(start=s, end=e) for s, e in spans],
                    mentions=mention_ids,
                )
            )
        return codes

    def _codable_concept(self, concept_id: str) -> bool:
        """Whether a concept is specific enough to be a case code (see ``PhenotypeRules``)."""
        known = self._codable.get(concept_id)
        if known is not None:
            return known
        codable = self._depth_of(concept_id) >= self.rules.min_depth
        self._codable[concept_id] = codable
        return codable

    def _is_grouping(self, concept_id: str) -> bool:
        """Whether a concept is named like an ontology grouping class (``grouping_names``)."""
        name = self.kb.concept(concept_id).name if concept_id in self.kb else ""
        return any(p.search(name) for p in self._grouping)

    def _depth_of(self, concept_id: str) -> int:
        """Shortest number of ``is_a`` steps from ``concept_id`` up to Phenotypic abnormality."""
        known = self._depth.get(concept_id)
        if known is not None:
            return known
        depth = 0
        level = {concept_id}
        seen: set[str] = set()
        while level and PHENOTYPIC_ABNORMALITY not in level:
            seen |= level
            level = {
                p
                for c in level
                if c in self.kb
                for p in self.kb.concept(c).parents
                if p not in seen
            }
            depth += 1
        result = depth if level else 0
        self._depth[concept_id] = result
        return result


def _normalized_words(words: Sequence[str]) -> frozenset[str]:
    """The words of ``words`` as aliases are normalised."""
    return frozenset(w for word in words for w in normalize_tokens(word))


def _marked_span(mention: Mention) -> tuple[int, int]:
    """Where the words the mention model marked lie: the mention less the modifiers joined
    before them ("pruritic" of "mildly pruritic")."""
    marked = mention.core if mention.core is not None else mention
    return marked.start, marked.end


def _without_hpo(mention: Mention) -> Mention:
    """``mention`` without HPO codes: a "pain specialist", a "stroke team", a "cancer board" or
    the "short arm" of a chromosome names no phenotype, of the patient's or anyone's."""
    if not any(c.system is CodeSystem.HPO for c in mention.codes):
        return mention
    codes = [c for c in mention.codes if c.system is not CodeSystem.HPO]
    return mention.model_copy(update={"codes": codes})


class _Weigher:
    """The section and sentence weight of a place in one case's text."""

    def __init__(self, case: Case, rules: PhenotypeRules) -> None:
        self._rules = rules
        self._text = case.text
        self._sections: list[Section] = sorted(case.sections, key=lambda s: s.start)
        self._section_starts = [s.start for s in self._sections]
        sentences = sorted(case.sentences, key=lambda s: s.start)
        self._sentence_starts = [s.start for s in sentences]
        self._sentences = sentences
        # Sentence number → its weight; read only for sentences holding evidence, which are a
        # minority.
        self._weights: dict[int, float] = {}

    def weight(self, start: int, end: int) -> float:
        """The weight of evidence at ``[start, end)``."""
        rules = self._rules
        weight = rules.default_section_weight
        index = bisect_right(self._section_starts, start) - 1
        if index >= 0 and start < self._sections[index].end:
            weight = rules.section_weights.get(self._sections[index].kind, weight)
        index = bisect_right(self._sentence_starts, start) - 1
        if index >= 0 and end <= self._sentences[index].end:
            weight *= self._sentence_weight(index)
        return weight

    def _sentence_weight(self, index: int) -> float:
        """The weight sentence ``index`` gives its evidence, remembered: none in a legend
        (``is_legend``), ``literature_weight`` with a literature cue, else 1."""
        known = self._weights.get(index)
        if known is None:
            sentence = self._sentences[index]
            if is_legend(self._text, sentence.start, sentence.end):
                known = 0.0
            elif holds_literature_cue(self._text, sentence.start, sentence.end):
                known = self._rules.literature_weight
            else:
                known = 1.0
            self._weights[index] = known
        return known
