"""Demo events for `seed_demo`: topics, one organisation per participating country, the demo
organiser's organisation, coordinator assignments, and a few hundred events across countries,
formats, languages, time zones, states, past and future. Deterministic and idempotent."""

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale

from coordinators.models import CoordinatorAssignment

from .models import Event, Organisation, Registration, Topic, link_topics
from .zones import country_timezones

TOPICS = [
    ("invest-in-skills", "Investing in skills"),
    ("skills-relevance", "Skills relevance"),
    ("matching-skills-and-jobs", "Matching people and jobs"),
    ("attracting-talent", "Attracting talent"),
    ("digital-skills", "Digital skills"),
    ("green-skills", "Green skills"),
    ("healthcare", "Health and care"),
    ("construction", "Construction"),
    ("tourism", "Tourism"),
    ("automotive", "Automotive"),
    ("agri-food", "Agri-food"),
    ("entrepreneurship", "Entrepreneurship"),
]

# The language most events of a country are held in (the rest are in English).
COUNTRY_LANGUAGE = {
    "AT": "de", "BE": "nl", "BG": "bg", "HR": "hr", "CY": "el", "CZ": "cs", "DK": "da", "EE": "et",
    "FI": "fi", "FR": "fr", "DE": "de", "GR": "el", "HU": "hu", "IE": "ga", "IT": "it", "LV": "lv",
    "LT": "lt", "LU": "fr", "MT": "mt", "NL": "nl", "PL": "pl", "PT": "pt", "RO": "ro", "SK": "sk",
    "SI": "sl", "ES": "es", "SE": "sv", "LI": "de",
}
# The topics' names in the other 23 languages, in the order of TOPICS (on a real site editors
# translate them with wagtail-localize). "Construction" is French as well.
TOPIC_TRANSLATIONS = {
    "bg": ["Инвестиране в умения", "Актуалност на уменията", "Свързване на хората с работните места",
           "Привличане на таланти", "Цифрови умения", "Зелени умения", "Здравеопазване и грижи", "Строителство",
           "Туризъм", "Автомобилна индустрия", "Агрохранителен сектор", "Предприемачество"],
    "cs": ["Investice do dovedností", "Relevance dovedností", "Propojování lidí s pracovními místy",
           "Přilákání talentů", "Digitální dovednosti", "Zelené dovednosti", "Zdravotní a sociální péče",
           "Stavebnictví", "Cestovní ruch", "Automobilový průmysl", "Zemědělsko-potravinářské odvětví", "Podnikání"],
    "da": ["Investering i færdigheder", "Relevante færdigheder", "Match mellem mennesker og job",
           "Tiltrækning af talent", "Digitale færdigheder", "Grønne færdigheder", "Sundhed og pleje", "Byggeri",
           "Turisme", "Bilindustrien", "Landbrug og fødevarer", "Iværksætteri"],
    "de": ["In Kompetenzen investieren", "Relevanz von Kompetenzen", "Menschen und Arbeitsplätze zusammenbringen",
           "Talente gewinnen", "Digitale Kompetenzen", "Grüne Kompetenzen", "Gesundheit und Pflege", "Bauwesen",
           "Tourismus", "Automobilindustrie", "Agrar- und Lebensmittelwirtschaft", "Unternehmertum"],
    "el": ["Επένδυση στις δεξιότητες", "Συνάφεια των δεξιοτήτων", "Αντιστοίχιση ανθρώπων και θέσεων εργασίας",
           "Προσέλκυση ταλέντων", "Ψηφιακές δεξιότητες", "Πράσινες δεξιότητες", "Υγεία και φροντίδα", "Κατασκευές",
           "Τουρισμός", "Αυτοκινητοβιομηχανία", "Αγροδιατροφικός τομέας", "Επιχειρηματικότητα"],
    "es": ["Invertir en capacidades", "Pertinencia de las capacidades", "Conectar a las personas con el empleo",
           "Atraer talento", "Capacidades digitales", "Capacidades ecológicas", "Salud y cuidados", "Construcción",
           "Turismo", "Automoción", "Agroalimentación", "Emprendimiento"],
    "et": ["Oskustesse investeerimine", "Oskuste asjakohasus", "Inimeste ja töökohtade kokkuviimine",
           "Talentide ligimeelitamine", "Digioskused", "Rohelised oskused", "Tervishoid ja hoolekanne", "Ehitus",
           "Turism", "Autotööstus", "Põllumajandus ja toiduainetööstus", "Ettevõtlus"],
    "fi": ["Osaamiseen investoiminen", "Osaamisen vastaavuus", "Ihmisten ja työpaikkojen kohtaaminen",
           "Osaajien houkutteleminen", "Digitaidot", "Vihreät taidot", "Terveys ja hoiva", "Rakentaminen",
           "Matkailu", "Autoteollisuus", "Maatalous- ja elintarvikeala", "Yrittäjyys"],
    "fr": ["Investir dans les compétences", "Pertinence des compétences", "Rapprocher les personnes et les emplois",
           "Attirer les talents", "Compétences numériques", "Compétences vertes", "Santé et soins", "Construction",
           "Tourisme", "Automobile", "Agroalimentaire", "Entrepreneuriat"],
    "ga": ["Infheistíocht i scileanna", "Ábharthacht scileanna", "Daoine agus poist a mheaitseáil",
           "Tallann a mhealladh", "Scileanna digiteacha", "Scileanna glasa", "Sláinte agus cúram", "Tógáil",
           "Turasóireacht", "Earnáil na ngluaisteán", "Agraibhia", "Fiontraíocht"],
    "hr": ["Ulaganje u vještine", "Relevantnost vještina", "Povezivanje ljudi i radnih mjesta",
           "Privlačenje talenata", "Digitalne vještine", "Zelene vještine", "Zdravstvo i skrb", "Građevinarstvo",
           "Turizam", "Automobilska industrija", "Poljoprivredno-prehrambeni sektor", "Poduzetništvo"],
    "hu": ["Beruházás a készségekbe", "A készségek relevanciája", "Az emberek és az állások összekapcsolása",
           "A tehetségek vonzása", "Digitális készségek", "Zöld készségek", "Egészségügy és gondozás", "Építőipar",
           "Turizmus", "Autóipar", "Agrár-élelmiszeripar", "Vállalkozói készségek"],
    "it": ["Investire nelle competenze", "Pertinenza delle competenze", "Far incontrare persone e lavoro",
           "Attrarre talenti", "Competenze digitali", "Competenze verdi", "Salute e assistenza", "Edilizia",
           "Turismo", "Settore automobilistico", "Agroalimentare", "Imprenditorialità"],
    "lt": ["Investavimas į įgūdžius", "Įgūdžių aktualumas", "Žmonių ir darbo vietų suderinimas",
           "Talentų pritraukimas", "Skaitmeniniai įgūdžiai", "Žalieji įgūdžiai", "Sveikata ir priežiūra", "Statyba",
           "Turizmas", "Automobilių pramonė", "Žemės ūkio maisto produktų sektorius", "Verslumas"],
    "lv": ["Ieguldījumi prasmēs", "Prasmju atbilstība", "Cilvēku un darbvietu savešana kopā", "Talantu piesaiste",
           "Digitālās prasmes", "Zaļās prasmes", "Veselība un aprūpe", "Būvniecība", "Tūrisms", "Autobūve",
           "Lauksaimniecības pārtikas nozare", "Uzņēmējdarbība"],
    "mt": ["Investiment fil-ħiliet", "Ir-rilevanza tal-ħiliet", "Tqabbil bejn in-nies u l-impjiegi",
           "L-attrazzjoni tat-talent", "Ħiliet diġitali", "Ħiliet ekoloġiċi", "Saħħa u kura", "Kostruzzjoni",
           "Turiżmu", "Is-settur awtomotiv", "Is-settur agroalimentari", "L-intraprenditorija"],
    "nl": ["Investeren in vaardigheden", "Relevantie van vaardigheden", "Mensen en banen bij elkaar brengen",
           "Talent aantrekken", "Digitale vaardigheden", "Groene vaardigheden", "Gezondheid en zorg", "Bouw",
           "Toerisme", "Automobielsector", "Agrovoedingssector", "Ondernemerschap"],
    "pl": ["Inwestowanie w umiejętności", "Adekwatność umiejętności", "Dopasowanie ludzi do miejsc pracy",
           "Przyciąganie talentów", "Umiejętności cyfrowe", "Zielone umiejętności", "Zdrowie i opieka", "Budownictwo",
           "Turystyka", "Motoryzacja", "Sektor rolno-spożywczy", "Przedsiębiorczość"],
    "pt": ["Investir nas competências", "Relevância das competências", "Aproximar as pessoas e o emprego",
           "Atrair talentos", "Competências digitais", "Competências ecológicas", "Saúde e cuidados", "Construção",
           "Turismo", "Setor automóvel", "Setor agroalimentar", "Empreendedorismo"],
    "ro": ["Investiții în competențe", "Relevanța competențelor", "Corelarea persoanelor cu locurile de muncă",
           "Atragerea talentelor", "Competențe digitale", "Competențe verzi", "Sănătate și îngrijire", "Construcții",
           "Turism", "Industria auto", "Sectorul agroalimentar", "Antreprenoriat"],
    "sk": ["Investovanie do zručností", "Relevantnosť zručností", "Prepájanie ľudí a pracovných miest",
           "Prilákanie talentov", "Digitálne zručnosti", "Zelené zručnosti", "Zdravotníctvo a starostlivosť",
           "Stavebníctvo", "Cestovný ruch", "Automobilový priemysel", "Poľnohospodársko-potravinársky sektor",
           "Podnikanie"],
    "sl": ["Vlaganje v znanja in spretnosti", "Ustreznost znanj in spretnosti", "Povezovanje ljudi in delovnih mest",
           "Privabljanje talentov", "Digitalne spretnosti", "Zelene spretnosti", "Zdravje in oskrba", "Gradbeništvo",
           "Turizem", "Avtomobilska industrija", "Kmetijsko-živilski sektor", "Podjetništvo"],
    "sv": ["Investera i kompetens", "Relevant kompetens", "Matchning av människor och jobb", "Attrahera talang",
           "Digital kompetens", "Grön kompetens", "Hälsa och omsorg", "Byggsektorn", "Turism", "Fordonsindustrin",
           "Jordbruks- och livsmedelssektorn", "Entreprenörskap"],
}
KINDS = ["Workshop", "Job fair", "Webinar", "Open day", "Hackathon", "Training day", "Conference"]
CITIES = {"FR": ["Paris", "Lyon", "Lille"], "DE": ["Berlin", "München", "Köln"]}
# Real places for the map: three or more cities per participating country, (name, latitude,
# longitude), the first the capital. Used by the demo and by the benchmarks' seeding.
CITY_LOCATIONS = {
    "AT": [("Wien", 48.2082, 16.3738), ("Graz", 47.0707, 15.4395), ("Linz", 48.3069, 14.2858)],
    "BE": [("Bruxelles", 50.8503, 4.3517), ("Antwerpen", 51.2194, 4.4025), ("Gent", 51.0543, 3.7174)],
    "BG": [("София", 42.6977, 23.3219), ("Пловдив", 42.1354, 24.7453), ("Варна", 43.2141, 27.9147)],
    "HR": [("Zagreb", 45.8150, 15.9819), ("Split", 43.5081, 16.4402), ("Rijeka", 45.3271, 14.4422)],
    "CY": [("Λευκωσία", 35.1856, 33.3823), ("Λεμεσός", 34.7071, 33.0226), ("Λάρνακα", 34.9229, 33.6233)],
    "CZ": [("Praha", 50.0755, 14.4378), ("Brno", 49.1951, 16.6068), ("Ostrava", 49.8209, 18.2625)],
    "DK": [("København", 55.6761, 12.5683), ("Aarhus", 56.1629, 10.2039), ("Odense", 55.4038, 10.4024)],
    "EE": [("Tallinn", 59.4370, 24.7536), ("Tartu", 58.3780, 26.7290), ("Pärnu", 58.3859, 24.4971)],
    "FI": [("Helsinki", 60.1699, 24.9384), ("Tampere", 61.4978, 23.7610), ("Oulu", 65.0121, 25.4651)],
    "FR": [("Paris", 48.8566, 2.3522), ("Lyon", 45.7640, 4.8357), ("Lille", 50.6292, 3.0573),
           ("Marseille", 43.2965, 5.3698), ("Toulouse", 43.6047, 1.4442), ("Nantes", 47.2184, -1.5536)],
    "DE": [("Berlin", 52.5200, 13.4050), ("München", 48.1351, 11.5820), ("Köln", 50.9375, 6.9603),
           ("Hamburg", 53.5511, 9.9937), ("Frankfurt am Main", 50.1109, 8.6821), ("Leipzig", 51.3397, 12.3731)],
    "GR": [("Αθήνα", 37.9838, 23.7275), ("Θεσσαλονίκη", 40.6401, 22.9444), ("Πάτρα", 38.2466, 21.7346)],
    "HU": [("Budapest", 47.4979, 19.0402), ("Debrecen", 47.5316, 21.6273), ("Szeged", 46.2530, 20.1414)],
    "IE": [("Dublin", 53.3498, -6.2603), ("Cork", 51.8985, -8.4756), ("Galway", 53.2707, -9.0568)],
    "IT": [("Roma", 41.9028, 12.4964), ("Milano", 45.4642, 9.1900), ("Napoli", 40.8518, 14.2681),
           ("Torino", 45.0703, 7.6869), ("Bologna", 44.4949, 11.3426), ("Palermo", 38.1157, 13.3615)],
    "LV": [("Rīga", 56.9496, 24.1052), ("Daugavpils", 55.8747, 26.5362), ("Liepāja", 56.5047, 21.0108)],
    "LT": [("Vilnius", 54.6872, 25.2797), ("Kaunas", 54.8985, 23.9036), ("Klaipėda", 55.7033, 21.1443)],
    "LU": [("Luxembourg", 49.6116, 6.1319), ("Esch-sur-Alzette", 49.4958, 5.9806), ("Differdange", 49.5242, 5.8914)],
    "MT": [("Valletta", 35.8989, 14.5146), ("Birkirkara", 35.8972, 14.4611), ("Mosta", 35.9094, 14.4256)],
    "NL": [("Amsterdam", 52.3676, 4.9041), ("Rotterdam", 51.9244, 4.4777), ("Utrecht", 52.0907, 5.1214)],
    "PL": [("Warszawa", 52.2297, 21.0122), ("Kraków", 50.0647, 19.9450), ("Wrocław", 51.1079, 17.0385),
           ("Gdańsk", 54.3520, 18.6466), ("Poznań", 52.4064, 16.9252)],
    "PT": [("Lisboa", 38.7223, -9.1393), ("Porto", 41.1579, -8.6291), ("Coimbra", 40.2033, -8.4103)],
    "RO": [("București", 44.4268, 26.1025), ("Cluj-Napoca", 46.7712, 23.6236), ("Iași", 47.1585, 27.6014),
           ("Timișoara", 45.7489, 21.2087)],
    "SK": [("Bratislava", 48.1486, 17.1077), ("Košice", 48.7164, 21.2611), ("Žilina", 49.2231, 18.7394)],
    "SI": [("Ljubljana", 46.0569, 14.5058), ("Maribor", 46.5547, 15.6459), ("Celje", 46.2397, 15.2677)],
    "ES": [("Madrid", 40.4168, -3.7038), ("Barcelona", 41.3874, 2.1686), ("Sevilla", 37.3891, -5.9845),
           ("València", 39.4699, -0.3763), ("Bilbao", 43.2630, -2.9350)],
    "SE": [("Stockholm", 59.3293, 18.0686), ("Göteborg", 57.7089, 11.9746), ("Malmö", 55.6050, 13.0038)],
    "IS": [("Reykjavík", 64.1466, -21.9426), ("Akureyri", 65.6835, -18.1262), ("Kópavogur", 64.1123, -21.9123)],
    "LI": [("Vaduz", 47.1410, 9.5209), ("Schaan", 47.1650, 9.5097), ("Triesen", 47.1066, 9.5283)],
    "NO": [("Oslo", 59.9139, 10.7522), ("Bergen", 60.3913, 5.3221), ("Trondheim", 63.4305, 10.3951)],
    "AL": [("Tiranë", 41.3275, 19.8187), ("Durrës", 41.3246, 19.4565), ("Vlorë", 40.4661, 19.4914)],
    "BA": [("Sarajevo", 43.8563, 18.4131), ("Banja Luka", 44.7722, 17.1910), ("Mostar", 43.3438, 17.8078)],
    "GE": [("თბილისი", 41.7151, 44.8271), ("ბათუმი", 41.6168, 41.6367), ("ქუთაისი", 42.2679, 42.6946)],
    "MD": [("Chișinău", 47.0105, 28.8638), ("Bălți", 47.7615, 27.9297), ("Cahul", 45.9075, 28.1944)],
    "ME": [("Podgorica", 42.4304, 19.2594), ("Nikšić", 42.7731, 18.9445), ("Bar", 42.0931, 19.1003)],
    "MK": [("Скопје", 41.9981, 21.4254), ("Битола", 41.0297, 21.3292), ("Охрид", 41.1231, 20.8016)],
    "RS": [("Београд", 44.7866, 20.4489), ("Нови Сад", 45.2671, 19.8335), ("Ниш", 43.3209, 21.8958)],
    "TR": [("İstanbul", 41.0082, 28.9784), ("Ankara", 39.9334, 32.8597), ("İzmir", 38.4237, 27.1428),
           ("Bursa", 40.1885, 29.0610), ("Antalya", 36.8969, 30.7133), ("Konya", 37.8746, 32.4932),
           ("Adana", 37.0000, 35.3213), ("Gaziantep", 37.0662, 37.3833), ("Trabzon", 41.0027, 39.7168),
           ("Diyarbakır", 37.9144, 40.2306), ("Kayseri", 38.7312, 35.4787), ("Eskişehir", 39.7767, 30.5206)],
    "UA": [("Київ", 50.4501, 30.5234), ("Львів", 49.8397, 24.0297), ("Харків", 49.9935, 36.2304),
           ("Одеса", 46.4825, 30.7233), ("Дніпро", 48.4647, 35.0462)],
}
CITY_COORDINATES = {(country, name): (lat, lon) for country, cities in CITY_LOCATIONS.items()
                    for name, lat, lon in cities}


def place_in(country, rng, spread=0.02):
    """(city, latitude, longitude) of a place in one of the country's cities, `spread` degrees
    (standard deviation) around its centre, so that events of one city do not share one point."""
    from decimal import Decimal

    city, lat, lon = rng.choice(CITY_LOCATIONS.get(country) or CITY_LOCATIONS["LU"])
    lat = min(85.0, max(-85.0, rng.gauss(lat, spread)))
    lon = min(180.0, max(-180.0, rng.gauss(lon, spread)))
    return city, Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")
EVENTS_PER_COUNTRY = 8


@transaction.atomic
def seed_topics():
    """The demo topics in English and their translations into every other language: missing rows
    are created, names that differ from the seed's (a database seeded before the names were
    translated) are updated. Returns the English topics, in the order of TOPICS."""
    english = Locale.objects.get(language_code="en")
    topics = []
    for slug, name in TOPICS:
        topic, _created = Topic.objects.get_or_create(slug=slug, locale=english, defaults={"name": name})
        if topic.name != name:
            topic.name = name
            topic.save(update_fields=["name"])
        topics.append(topic)
    locales = {locale.language_code: locale for locale in Locale.objects.filter(language_code__in=TOPIC_TRANSLATIONS)}
    for language, names in TOPIC_TRANSLATIONS.items():
        locale = locales.get(language)
        if locale is None:
            continue
        existing = {t.translation_key: t for t in Topic.objects.filter(locale=locale)}
        for topic, name in zip(topics, names, strict=True):
            translated = existing.get(topic.translation_key)
            if translated is None:
                translated = topic.copy_for_translation(locale)
                translated.name = name
                translated.save()
            elif translated.name != name:
                translated.name = name
                translated.save(update_fields=["name"])
    return topics


@transaction.atomic
def seed_events(users):
    topics = seed_topics()

    for email, country in (("coordinator-fr@example.org", "FR"), ("coordinator-de@example.org", "DE")):
        CoordinatorAssignment.objects.get_or_create(user=users[email], country=country)

    organiser_org, _created = Organisation.objects.get_or_create(
        slug="competences-lyon",
        defaults={"name": "Compétences Lyon", "country": "FR", "website": "https://example.org/", "verified": True},
    )
    organiser_org.members.add(users["organiser@example.org"])

    if Event.objects.exists():
        locate_demo_events()
        return
    rng = random.Random(2023)
    places = random.Random(2024)  # a stream of its own: the other choices stay as they were
    zones = country_timezones()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    statuses = (
        [Event.Status.PUBLISHED] * 10
        + [Event.Status.SUBMITTED, Event.Status.DRAFT, Event.Status.CHANGES_REQUESTED,
           Event.Status.REJECTED, Event.Status.CANCELLED]
    )
    events, topic_links = [], []
    for country in settings.EYOS_COUNTRIES:
        org = organiser_org if country == "FR" else Organisation.objects.get_or_create(
            slug=f"skills-network-{country.lower()}",
            defaults={"name": f"Skills Network {country}", "country": country, "verified": True},
        )[0]
        for index in range(EVENTS_PER_COUNTRY):
            kind = rng.choice(KINDS)
            event_format = rng.choice(["onsite", "onsite", "online", "hybrid"])
            start = now + timedelta(days=rng.randint(-60, 240), hours=rng.randint(8, 18))
            city = rng.choice(CITIES.get(country, [f"City {country}"]))
            latitude = longitude = None
            if country in CITIES:  # the demo's own cities, placed around their centre
                latitude, longitude = _around(CITY_COORDINATES[(country, city)], places)
            elif country in CITY_LOCATIONS:
                city, latitude, longitude = place_in(country, places)
            title = f"{kind}: {topics[index % len(topics)].name} ({city})"
            status = rng.choice(statuses)
            event = Event(
                title=title,
                slug=slugify(f"{title}-{country}-{index}")[:200],
                summary=f"{kind} for everyone interested in {topics[index % len(topics)].name.lower()}.",
                description=f"<p>{kind} organised by {org.name}.</p>",
                language=COUNTRY_LANGUAGE.get(country, "en") if rng.random() < 0.7 else "en",
                format=event_format,
                online_url="https://meet.example.org/eyos" if event_format != "onsite" else "",
                venue="" if event_format == "online" else "Skills Centre",
                address="" if event_format == "online" else f"{rng.randint(1, 99)} Main Street",
                city="" if event_format == "online" else city,
                latitude=None if event_format == "online" else latitude,
                longitude=None if event_format == "online" else longitude,
                country=country,
                start=start,
                end=start + timedelta(hours=rng.choice([1, 2, 3, 6])),
                timezone=zones.get(country, "Europe/Brussels"),
                organisation=org,
                capacity=rng.choice([None, None, 5, 20, 50, 200]),
                status=status,
                submitted_at=now - timedelta(days=rng.randint(0, 20)) if status != Event.Status.DRAFT else None,
                cancellation_message="Cancelled by the organiser." if status == Event.Status.CANCELLED else "",
                moderation_comment="Please add the exact address." if status == Event.Status.CHANGES_REQUESTED else "",
                rejection_reason="out_of_scope" if status == Event.Status.REJECTED else "",
            )
            events.append(event)
            topic_links.append([topics[index % len(topics)], rng.choice(topics)])
    Event.objects.bulk_create(events)
    from wagtail.search import index

    for event in events:  # bulk_create sends no signals: index for free-text search
        index.insert_or_update_object(event)
    link_topics((event.pk, topic.pk) for event, pair in zip(events, topic_links) for topic in set(pair))
    seed_registrations(events, now, rng)


def _around(point, rng, spread=0.02):
    from decimal import Decimal

    return tuple(Decimal(f"{rng.gauss(value, spread):.6f}") for value in point)


def locate_demo_events():
    """Coordinates for the demo's events on site seeded before they had any (their city's, a
    little apart). Idempotent."""
    places = random.Random(2025)
    located = []
    events = Event.objects.filter(latitude__isnull=True, organisation__slug__in=DEMO_ORGANISATIONS).exclude(
        format=Event.Format.ONLINE).only("pk", "country", "city")
    for event in events:
        point = CITY_COORDINATES.get((event.country.code, event.city))
        if point is not None:
            event.latitude, event.longitude = _around(point, places)
            located.append(event)
    Event.objects.bulk_update(located, ["latitude", "longitude"], batch_size=500)


DEMO_ORGANISATIONS = ["competences-lyon"] + [f"skills-network-{country.lower()}" for country in CITY_LOCATIONS]


def seed_registrations(events, now, rng):
    """Fill the small published events: every place taken and a short waiting list, so the demo
    shows "full" events and waiting lists. Addresses are on example.org."""
    registrations = []
    small = [e for e in events if e.status == Event.Status.PUBLISHED and e.capacity == 5 and e.start > now]
    for event in small:
        for n in range(event.capacity + 2):
            confirmed = n < event.capacity
            at = now - timedelta(hours=48 - n)
            registrations.append(Registration(
                event=event, name=f"Participant {n + 1}", email=f"participant{n + 1}.{event.pk}@example.org",
                language=event.language, consent_at=at,
                status=Registration.Status.CONFIRMED if confirmed else Registration.Status.WAITLISTED,
                confirmed_at=at if confirmed else None, waitlisted_at=None if confirmed else at,
            ))
    Registration.objects.bulk_create(registrations)
