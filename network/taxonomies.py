# ruff: noqa: RUF001 - Turkish names hold the dotless i (U+0131) on purpose
"""The vocabularies of docs/contracts.md §2 and the municipalities of the province of Utrecht.

The slugs are a public contract: add, never rename or remove. Migration 0002 loads these
tables; `taxonomy_sync()` (run by that migration and by `load_demo`) adds new entries.
"""

from __future__ import annotations

THEMES = [
    ("dialogue", "Dialoog & debat", "Dialogue & debate"),
    ("food", "Koken & eten", "Cooking & food"),
    ("sport", "Sport & bewegen", "Sport & exercise"),
    ("art_culture", "Kunst & cultuur", "Art & culture"),
    ("language", "Taal", "Language"),
    ("education", "Onderwijs & school", "Education & school"),
    ("parents", "Ouderbetrokkenheid", "Parental involvement"),
    ("work", "Werk & inkomen", "Work & income"),
    ("emancipation", "Emancipatie", "Emancipation"),
    ("youth_work", "Jongerenwerk", "Youth work"),
    ("health_care", "Zorg & welzijn", "Care & wellbeing"),
    ("neighbourhood", "Wijk & ontmoeting", "Neighbourhood & meeting"),
    ("festival", "Festivals & evenementen", "Festivals & events"),
    ("volunteering", "Vrijwillige inzet", "Volunteering"),
    ("mentoring", "Maatjes & mentoring", "Buddies & mentoring"),
    ("faith", "Geloof & levensbeschouwing", "Faith & belief"),
]

TARGET_GROUPS = [
    ("moroccan", "Marokkaanse Nederlanders", "Moroccan Dutch"),
    ("turkish", "Turkse Nederlanders", "Turkish Dutch"),
    ("somali", "Somalische Nederlanders", "Somali Dutch"),
    ("antillean", "Antilliaanse Nederlanders", "Antillean Dutch"),
    ("surinamese", "Surinaamse Nederlanders", "Surinamese Dutch"),
    ("refugees", "Vluchtelingen & statushouders", "Refugees & status holders"),
    ("newcomers", "Nieuwkomers & inburgeraars", "Newcomers"),
    ("native_dutch", "Autochtone Nederlanders", "Native Dutch"),
    ("youth", "Jongeren", "Young people"),
    ("children", "Kinderen", "Children"),
    ("girls_women", "Meisjes & vrouwen", "Girls & women"),
    ("parents", "Ouders", "Parents"),
    ("elderly", "Ouderen", "Older people"),
    ("residents", "Alle wijkbewoners", "All residents"),
    ("isolated", "Mensen in sociaal isolement", "Socially isolated people"),
]

SUCCESS_FACTORS = [
    ("subsidy", "Subsidie", "Funding"),
    ("network", "Netwerk", "Network"),
    ("partners", "Samenwerkingspartners", "Partners"),
    ("agreements", "Duidelijke afspraken", "Clear agreements"),
    ("staff_competences", "Competenties van medewerkers", "Staff competences"),
    ("target_group_knowledge", "Kennis van de doelgroep", "Knowledge of the target group"),
    ("recruitment", "Werving", "Recruitment"),
    ("start_small", "Klein beginnen", "Start small"),
    ("local_outreach", "Lokaal bereik", "Local outreach"),
    ("time_and_energy", "Tijd en energie", "Time and energy"),
    ("volunteers", "Vrijwilligers", "Volunteers"),
    ("neighbourhood_based", "Wijkgericht werken", "Neighbourhood-based"),
    ("low_threshold", "Laagdrempelig", "Low threshold"),
    ("proactive", "Outreachend werken", "Proactive outreach"),
    ("role_models", "Rolmodellen", "Role models"),
    ("shared_interest", "Gedeeld belang", "Shared interest"),
    ("activities_fit", "Activiteiten die aansluiten", "Activities that fit"),
    ("own_language", "In de eigen taal", "In people's own language"),
]

# The obstacles the province's brochure names (its project stories and "Tot slot"): what
# close-out stories report next to the success factors (docs/stories.md).
OBSTACLES = [
    ("funding", "Te weinig geld", "Not enough funding"),
    ("workload", "Veel werk voor weinig mensen", "A lot of work for few people"),
    ("hard_to_reach", "Doelgroep moeilijk te bereiken", "Target group hard to reach"),
    ("trust", "Vertrouwen winnen kost tijd", "Winning trust takes time"),
    ("resistance", "Weerstand bij (autochtone) bewoners", "Resistance among (native) residents"),
    (
        "language_barrier",
        "Taal: mensen verstaan elkaar niet",
        "Language: people do not understand each other",
    ),
    ("slow_results", "Resultaten komen langzaam", "Results come slowly"),
    ("hard_to_measure", "Effect moeilijk te meten", "Effect hard to measure"),
    (
        "network_upkeep",
        "Netwerk bijhouden kost veel tijd",
        "Keeping the network up takes much time",
    ),
    ("volunteer_training", "Vrijwilligers niet genoeg getraind", "Volunteers not trained enough"),
    ("lasting_contact", "Contacten blijven niet duren", "Contacts do not last"),
]

ROLES = [
    ("volunteer", "Vrijwilliger", "Volunteer"),
    ("key_figure", "Sleutelfiguur", "Key figure"),
    ("mentor", "Mentor", "Mentor"),
    ("project_leader", "Projectleider", "Project leader"),
]

LANGUAGES = [
    ("nl", "Nederlands", "Dutch"),
    ("en", "Engels", "English"),
    ("ar", "Arabisch", "Arabic"),
    ("tr", "Turks", "Turkish"),
    ("so", "Somalisch", "Somali"),
    ("zgh", "Tamazight (Berbers)", "Tamazight (Berber)"),
    ("pap", "Papiaments", "Papiamento"),
    ("srn", "Sranantongo", "Sranan Tongo"),
    ("fa", "Perzisch (Farsi, Dari)", "Persian (Farsi, Dari)"),
    ("ps", "Pasjtoe", "Pashto"),
    ("ti", "Tigrinya", "Tigrinya"),
    ("am", "Amhaars", "Amharic"),
    ("uk", "Oekraïens", "Ukrainian"),
    ("ru", "Russisch", "Russian"),
    ("pl", "Pools", "Polish"),
    ("ro", "Roemeens", "Romanian"),
    ("bg", "Bulgaars", "Bulgarian"),
    ("fr", "Frans", "French"),
    ("de", "Duits", "German"),
    ("es", "Spaans", "Spanish"),
    ("pt", "Portugees", "Portuguese"),
    ("ku", "Koerdisch", "Kurdish"),
    ("hi", "Hindi", "Hindi"),
    ("ur", "Urdu", "Urdu"),
    ("zh", "Chinees", "Chinese"),
    ("wo", "Wolof", "Wolof"),
    ("sw", "Swahili", "Swahili"),
    ("it", "Italiaans", "Italian"),
    ("hy", "Armeens", "Armenian"),
    ("sq", "Albanees", "Albanian"),
    ("bs", "Bosnisch", "Bosnian"),
    ("ber", "Berbertalen (overig)", "Berber languages (other)"),
]

# Arabic and Turkish names, by slug (docs/languages.md). The tuples above keep their
# (slug, Dutch, English) shape, which other code unpacks; a slug missing here falls back
# to English (Taxonomy.label).
NAMES_AR_TR: dict[str, dict[str, tuple[str, str]]] = {
    "Theme": {
        "dialogue": ("الحوار والنقاش", "Diyalog ve tartışma"),
        "food": ("الطبخ والطعام", "Yemek pişirme ve yemek"),
        "sport": ("الرياضة والحركة", "Spor ve hareket"),
        "art_culture": ("الفن والثقافة", "Sanat ve kültür"),
        "language": ("اللغة", "Dil"),
        "education": ("التعليم والمدرسة", "Eğitim ve okul"),
        "parents": ("مشاركة الأهل", "Veli katılımı"),
        "work": ("العمل والدخل", "İş ve gelir"),
        "emancipation": ("التمكين والمساواة", "Eşitlik ve güçlenme"),
        "youth_work": ("العمل الشبابي", "Gençlik çalışması"),
        "health_care": ("الرعاية والرفاه", "Bakım ve refah"),
        "neighbourhood": ("الحي واللقاء", "Mahalle ve buluşma"),
        "festival": ("المهرجانات والفعاليات", "Festivaller ve etkinlikler"),
        "volunteering": ("العمل التطوعي", "Gönüllülük"),
        "mentoring": ("الرفقة والإرشاد", "Arkadaşlık ve mentorluk"),
        "faith": ("الدين والمعتقد", "İnanç ve dünya görüşü"),
    },
    "TargetGroup": {
        "moroccan": ("الهولنديون من أصل مغربي", "Faslı Hollandalılar"),
        "turkish": ("الهولنديون من أصل تركي", "Türk kökenli Hollandalılar"),
        "somali": ("الهولنديون من أصل صومالي", "Somalili Hollandalılar"),
        "antillean": ("الهولنديون من أصل أنتيلي", "Antilli Hollandalılar"),
        "surinamese": ("الهولنديون من أصل سورينامي", "Surinamlı Hollandalılar"),
        "refugees": ("اللاجئون وحاملو الإقامة", "Mülteciler ve oturum izni sahipleri"),
        "newcomers": ("القادمون الجدد", "Yeni gelenler"),
        "native_dutch": ("الهولنديون الأصليون", "Yerli Hollandalılar"),
        "youth": ("الشباب", "Gençler"),
        "children": ("الأطفال", "Çocuklar"),
        "girls_women": ("الفتيات والنساء", "Kızlar ve kadınlar"),
        "parents": ("الآباء والأمهات", "Ebeveynler"),
        "elderly": ("كبار السن", "Yaşlılar"),
        "residents": ("جميع سكان الحي", "Tüm mahalle sakinleri"),
        "isolated": ("الأشخاص في عزلة اجتماعية", "Sosyal olarak yalnız kalmış kişiler"),
    },
    "Obstacle": {
        "funding": ("تمويل غير كافٍ", "Yetersiz para"),
        "workload": ("عمل كثير لعدد قليل من الناس", "Az kişiye çok iş"),
        "hard_to_reach": ("يصعب الوصول إلى الفئة المستهدفة", "Hedef gruba ulaşmak zor"),
        "trust": ("كسب الثقة يستغرق وقتًا", "Güven kazanmak zaman alır"),
        "resistance": ("مقاومة من بعض السكان", "Bazı sakinlerin direnci"),
        "language_barrier": ("اللغة: الناس لا يفهمون بعضهم", "Dil: insanlar birbirini anlamıyor"),
        "slow_results": ("النتائج تأتي ببطء", "Sonuçlar yavaş geliyor"),
        "hard_to_measure": ("يصعب قياس الأثر", "Etkiyi ölçmek zor"),
        "network_upkeep": ("الحفاظ على الشبكة يستغرق وقتًا طويلًا", "Ağı sürdürmek çok zaman alır"),
        "volunteer_training": (
            "المتطوعون غير مدرَّبين بما يكفي",
            "Gönüllüler yeterince eğitimli değil",
        ),
        "lasting_contact": ("العلاقات لا تدوم", "İlişkiler kalıcı olmuyor"),
    },
    "SuccessFactor": {
        "subsidy": ("التمويل", "Finansman"),
        "network": ("الشبكة", "Ağ"),
        "partners": ("شركاء التعاون", "İş birliği ortakları"),
        "agreements": ("اتفاقات واضحة", "Açık anlaşmalar"),
        "staff_competences": ("كفاءات العاملين", "Çalışanların yetkinlikleri"),
        "target_group_knowledge": ("معرفة الفئة المستهدفة", "Hedef grubu tanımak"),
        "recruitment": ("الاستقطاب", "İşe alım ve kazanma"),
        "start_small": ("البدء صغيراً", "Küçük başlamak"),
        "local_outreach": ("الوصول المحلي", "Yerel erişim"),
        "time_and_energy": ("الوقت والجهد", "Zaman ve enerji"),
        "volunteers": ("المتطوعون", "Gönüllüler"),
        "neighbourhood_based": ("العمل على مستوى الحي", "Mahalle odaklı çalışma"),
        "low_threshold": ("سهولة الوصول", "Kolay erişilebilirlik"),
        "proactive": ("الوصول الاستباقي", "Proaktif ulaşma"),
        "role_models": ("القدوات", "Rol modelleri"),
        "shared_interest": ("المصلحة المشتركة", "Ortak çıkar"),
        "activities_fit": ("أنشطة مناسبة", "Uygun etkinlikler"),
        "own_language": ("باللغة الأم", "Kişinin kendi dilinde"),
    },
    "Role": {
        "volunteer": ("متطوع", "Gönüllü"),
        "key_figure": ("شخصية محورية", "Kilit kişi"),
        "mentor": ("مرشد", "Mentor"),
        "project_leader": ("قائد مشروع", "Proje yürütücüsü"),
    },
    "Language": {
        "nl": ("الهولندية", "Felemenkçe"),
        "en": ("الإنجليزية", "İngilizce"),
        "ar": ("العربية", "Arapça"),
        "tr": ("التركية", "Türkçe"),
        "so": ("الصومالية", "Somalice"),
        "zgh": ("الأمازيغية (البربرية)", "Tamazight (Berberice)"),
        "pap": ("البابيامنتو", "Papiamento"),
        "srn": ("السرانان تونغو", "Sranan Tongo"),
        "fa": ("الفارسية (فارسي، دري)", "Farsça (Farsi, Dari)"),
        "ps": ("البشتو", "Peştuca"),
        "ti": ("التغرينية", "Tigrinya"),
        "am": ("الأمهرية", "Amharca"),
        "uk": ("الأوكرانية", "Ukraynaca"),
        "ru": ("الروسية", "Rusça"),
        "pl": ("البولندية", "Lehçe"),
        "ro": ("الرومانية", "Romence"),
        "bg": ("البلغارية", "Bulgarca"),
        "fr": ("الفرنسية", "Fransızca"),
        "de": ("الألمانية", "Almanca"),
        "es": ("الإسبانية", "İspanyolca"),
        "pt": ("البرتغالية", "Portekizce"),
        "ku": ("الكردية", "Kürtçe"),
        "hi": ("الهندية", "Hintçe"),
        "ur": ("الأردية", "Urduca"),
        "zh": ("الصينية", "Çince"),
        "wo": ("الولوفية", "Volofça"),
        "sw": ("السواحيلية", "Svahili"),
        "it": ("الإيطالية", "İtalyanca"),
        "hy": ("الأرمنية", "Ermenice"),
        "sq": ("الألبانية", "Arnavutça"),
        "bs": ("البوسنية", "Boşnakça"),
        "ber": ("اللغات الأمازيغية (أخرى)", "Berberi dilleri (diğer)"),
    },
}

# The 26 municipalities of the province of Utrecht with approximate centroids (lat, lon).
MUNICIPALITIES = [
    ("Amersfoort", 52.1561, 5.3878),
    ("Baarn", 52.2112, 5.2875),
    ("De Bilt", 52.1100, 5.1810),
    ("Bunnik", 52.0670, 5.1980),
    ("Bunschoten", 52.2430, 5.3780),
    ("De Ronde Venen", 52.2200, 4.9000),
    ("Eemnes", 52.2540, 5.2570),
    ("Houten", 52.0280, 5.1680),
    ("IJsselstein", 52.0200, 5.0430),
    ("Leusden", 52.1330, 5.4300),
    ("Lopik", 51.9720, 4.9450),
    ("Montfoort", 52.0460, 4.9520),
    ("Nieuwegein", 52.0290, 5.0810),
    ("Oudewater", 52.0250, 4.8680),
    ("Renswoude", 52.0740, 5.5400),
    ("Rhenen", 51.9590, 5.5680),
    ("Soest", 52.1750, 5.3040),
    ("Stichtse Vecht", 52.1750, 5.0050),
    ("Utrecht", 52.0907, 5.1214),
    ("Utrechtse Heuvelrug", 52.0400, 5.3800),
    ("Veenendaal", 52.0280, 5.5590),
    ("Vijfheerenlanden", 51.9300, 5.0700),
    ("Wijk bij Duurstede", 51.9750, 5.3400),
    ("Woerden", 52.0860, 4.8830),
    ("Woudenberg", 52.0810, 5.4170),
    ("Zeist", 52.0900, 5.2330),
]


def taxonomy_sync(apps=None) -> None:
    """Create missing taxonomy entries and update names; never deletes (slugs are a contract).

    `apps` is the migration state's registry when called from a migration."""
    from django.utils.text import slugify

    get = apps.get_model if apps else _live_model
    for model_name, rows in [
        ("Theme", THEMES),
        ("TargetGroup", TARGET_GROUPS),
        ("SuccessFactor", SUCCESS_FACTORS),
        ("Obstacle", OBSTACLES),
        ("Role", ROLES),
        ("Language", LANGUAGES),
    ]:
        try:
            model = get("network", model_name)
        except LookupError:
            # An early migration's state, before this vocabulary's model existed: the
            # migration that adds the model loads it (network 0007 for Obstacle).
            continue
        # An earlier migration's model has no name_ar/name_tr yet: fill what it has.
        has_more_names = any(f.name == "name_ar" for f in model._meta.get_fields())
        for position, (slug, name_nl, name_en) in enumerate(rows):
            defaults = {"name_nl": name_nl, "name_en": name_en, "position": position}
            if has_more_names:
                name_ar, name_tr = NAMES_AR_TR[model_name].get(slug, (name_en, name_en))
                defaults |= {"name_ar": name_ar, "name_tr": name_tr}
            model.objects.update_or_create(slug=slug, defaults=defaults)
    municipality = get("network", "Municipality")
    for name, latitude, longitude in MUNICIPALITIES:
        municipality.objects.update_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "latitude": latitude,
                "longitude": longitude,
                "province": "Utrecht",
            },
        )


def _live_model(app_label: str, model_name: str):
    from django.apps import apps

    return apps.get_model(app_label, model_name)
