"""Word lists for the sample data: given names, surnames, mail domains, cities, consent sources."""

ASCII_FOLD = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻäöüßÄÖÜ", "acelnoszzACELNOSZZaousAOU")

MALE_NAMES: dict[str, tuple[str, ...]] = {
    "pl": (
        "Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Łukasz", "Jakub", "Adam",
        "Mateusz", "Kamil", "Marek", "Grzegorz", "Wojciech", "Mariusz", "Dariusz", "Rafał", "Maciej", "Szymon",
        "Bartłomiej", "Sebastian", "Przemysław", "Krystian", "Dawid", "Hubert", "Filip", "Antoni", "Stanisław",
        "Zbigniew", "Jerzy", "Tadeusz", "Józef", "Kacper", "Wiktor", "Mikołaj", "Bartosz", "Damian", "Patryk",
        "Artur", "Jarosław", "Sławomir", "Ryszard", "Henryk", "Zdzisław", "Bogdan", "Leszek", "Radosław", "Igor",
    ),
    "ua": (
        "Oleksandr", "Andrii", "Serhii", "Dmytro", "Volodymyr", "Mykola", "Ivan", "Yurii", "Vasyl", "Taras",
        "Bohdan", "Maksym", "Oleh", "Petro", "Vitalii", "Roman", "Ihor", "Artem",
    ),
    "de": (
        "Lukas", "Felix", "Jonas", "Maximilian", "Paul", "Leon", "Thomas", "Stefan", "Michael", "Jürgen", "Uwe",
        "Klaus", "Markus", "Tobias", "Sebastian",
    ),
    "cz": (
        "Jiří", "Petr", "Jan", "Tomáš", "Josef", "Pavel", "Martin", "Jaroslav", "Miroslav", "Zdeněk", "Václav",
        "Lukáš", "Ondřej",
    ),
    "en": (
        "James", "John", "Robert", "Michael", "David", "William", "Richard", "Thomas", "Daniel", "Oliver",
        "Harry", "George", "Jack", "Lucas", "Marco", "Pierre", "Javier", "Lars", "Sven", "Luca",
    ),
}

FEMALE_NAMES: dict[str, tuple[str, ...]] = {
    "pl": (
        "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna", "Elżbieta",
        "Magdalena", "Joanna", "Aleksandra", "Zofia", "Monika", "Teresa", "Danuta", "Natalia", "Karolina", "Marta",
        "Beata", "Dorota", "Halina", "Jadwiga", "Justyna", "Paulina", "Iwona", "Grażyna", "Weronika", "Julia",
        "Alicja", "Hanna", "Wiktoria", "Oliwia", "Zuzanna", "Łucja", "Emilia", "Izabela", "Sylwia", "Renata",
        "Bożena", "Urszula", "Jolanta", "Ilona", "Kinga", "Żaneta", "Gabriela", "Patrycja", "Dominika",
        "Honorata", "Róża",
    ),
    "ua": (
        "Olena", "Tetiana", "Nataliia", "Iryna", "Svitlana", "Oksana", "Yuliia", "Kateryna", "Mariia", "Anastasiia",
        "Viktoriia", "Halyna", "Liudmyla", "Daria", "Sofiia",
    ),
    "de": (
        "Anna", "Lena", "Laura", "Julia", "Sarah", "Katrin", "Sabine", "Petra", "Ursula", "Monika", "Jana", "Sophie",
    ),
    "cz": ("Jana", "Marie", "Eva", "Hana", "Lucie", "Věra", "Alena", "Petra", "Kateřina", "Tereza", "Lenka"),
    "en": (
        "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Emma", "Olivia", "Amelia", "Sophie", "Charlotte",
        "Giulia", "Sofia", "Camille", "Lucia", "Ingrid",
    ),
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "pl": (
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
        "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Wojciechowski", "Kwiatkowski",
        "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski", "Zając", "Pawłowski", "Michalski", "Król", "Wieczorek",
        "Jabłoński", "Wróbel", "Nowakowski", "Majewski", "Olszewski", "Stępień", "Malinowski", "Jaworski",
        "Adamczyk", "Dudek", "Nowicki", "Pawlak", "Górski", "Witkowski", "Walczak", "Sikora", "Baran", "Rutkowski",
        "Michalak", "Szewczyk", "Ostrowski", "Tomaszewski", "Pietrzak", "Zalewski", "Wróblewski", "Marciniak",
        "Jasiński", "Zawadzki", "Bąk", "Jakubowski", "Sadowski", "Duda", "Włodarczyk", "Wilk", "Chmielewski",
        "Borkowski", "Sokołowski", "Szczepański", "Sawicki", "Lis", "Kucharski", "Kalinowski", "Wysocki",
        "Mazurek", "Kubiak", "Maciejewski", "Czarnecki", "Kołodziej", "Urbański", "Kaźmierczak", "Sobczak",
        "Konieczny", "Głowacki", "Zakrzewski", "Krajewski", "Krupa", "Wasilewski", "Laskowski", "Ziółkowski",
        "Gajewski", "Szulc", "Mróz", "Brzeziński", "Kaczmarczyk", "Przybylski", "Makowski", "Ćwik", "Żak",
        "Łuczak", "Ślusarczyk", "Śliwiński", "Żurawski", "Jóźwiak", "Ożóg", "Gołębiowski", "Kowalewski",
        "Szczepaniak", "Baranowski", "Wawrzyniak", "Adamski", "Szymczak", "Sowa", "Cieślak", "Kurek", "Zawada",
        "Wilczyński", "Kowalik", "Kasprzak", "Bielecki", "Wrona", "Rogalski", "Kołodziejczyk", "Lewicki", "Dziedzic",
        "Kurowski", "Domański", "Błaszczyk", "Czerwiński", "Jastrzębski", "Andrzejewski", "Milczarek", "Rybak",
        "Orłowski", "Nowaczyk", "Kubacki", "Piątek", "Stachowiak", "Grzelak", "Kaczyński", "Kozieł", "Górecki",
        "Leśniak", "Pietrzyk", "Sikorski", "Jarosz", "Kozak", "Olejniczak", "Mikołajczyk", "Wójtowicz",
        "Czajkowski", "Marczak", "Zaręba", "Cieślik", "Tomczak", "Skowroński", "Sobolewski", "Wasiak", "Kubicki",
        "Bednarek", "Bednarz", "Kędzierski", "Ryba", "Ziemba", "Bogusz", "Krupiński", "Siwek", "Stasiak",
        "Popławski", "Filipek", "Dobrowolski", "Gołąb", "Kaczorowski", "Fijałkowski", "Urban", "Pająk", "Wojtas",
        "Koziński", "Chojnacki", "Marczewski", "Tokarski", "Matusiak", "Nowacki", "Przybysz", "Banaś",
        "Skrzypczak", "Rakowski", "Kiełbasa", "Michalczyk", "Kalisz", "Żmuda", "Grzybowski", "Borowski",
        "Szymczyk", "Bieniek", "Mazurkiewicz", "Wilczek", "Krawiec", "Gutowski", "Pawlik", "Bartkowiak",
        "Frankowski", "Szczygieł", "Zych", "Dąbek", "Nowosielski", "Zaremba", "Kwiecień", "Sroka", "Szostak",
    ),
    "ua": (
        "Melnyk", "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Oliinyk", "Shevchuk",
        "Koval", "Polishchuk", "Boiko", "Tkachuk", "Marchenko", "Savchenko", "Rudenko", "Moroz",
    ),
    "de": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
    ),
    "cz": ("Novák", "Svoboda", "Novotný", "Dvořák", "Černý", "Procházka", "Kučera", "Veselý", "Horák", "Němec"),
    "en": (
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Miller", "Evans", "Rossi",
        "Dubois", "Garcia", "Hansen", "De Vries", "Murphy",
    ),
}

NICKNAMES: dict[str, str] = {
    "Katarzyna": "kasia", "Małgorzata": "gosia", "Joanna": "asia", "Aleksandra": "ola", "Anna": "ania",
    "Magdalena": "magda", "Barbara": "basia", "Zofia": "zosia", "Agnieszka": "aga", "Dominika": "domi",
    "Elżbieta": "ela", "Tomasz": "tomek", "Bartłomiej": "bartek", "Bartosz": "bartek", "Jakub": "kuba",
    "Wojciech": "wojtek", "Maciej": "maciek", "Grzegorz": "grzesiek", "Dariusz": "darek", "Stanisław": "staszek",
    "Jerzy": "jurek", "Krzysztof": "krzysiek", "Piotr": "piotrek", "Przemysław": "przemek", "Radosław": "radek",
    "Mikołaj": "miki", "Oleksandr": "sasha", "Volodymyr": "vova", "Anastasiia": "nastia", "Maximilian": "max",
    "William": "will", "Elizabeth": "liz",
}
"""The short form people use in addresses instead of the full given name."""

MAIL_DOMAINS: dict[str, tuple[tuple[str, float], ...]] = {
    "pl": (
        ("gmail.com", 34.0), ("wp.pl", 15.0), ("onet.pl", 10.0), ("o2.pl", 8.0), ("interia.pl", 8.0), ("op.pl", 4.0),
        ("googlemail.com", 1.5), ("poczta.onet.pl", 1.5), ("vp.pl", 1.0), ("tlen.pl", 1.0), ("interia.eu", 1.0),
        ("gazeta.pl", 1.0), ("outlook.com", 2.5), ("hotmail.com", 1.5), ("icloud.com", 2.0), ("yahoo.com", 1.0),
        ("buziaczek.pl", 0.3), ("autograf.pl", 0.2), ("orlen.pl", 0.3), ("pkobp.pl", 0.3), ("comarch.pl", 0.2),
        ("mbank.pl", 0.2), ("lpp.com", 0.2), ("uw.edu.pl", 0.3), ("student.uj.edu.pl", 0.3), ("pw.edu.pl", 0.2),
        ("gov.pl", 0.1), ("żabka-mail.pl", 0.2), ("xn--abka-mail-9bc.pl", 0.1),
    ),
    "ua": (
        ("gmail.com", 50.0), ("ukr.net", 25.0), ("i.ua", 6.0), ("meta.ua", 4.0), ("outlook.com", 5.0), ("wp.pl", 5.0),
    ),
    "de": (
        ("gmail.com", 30.0), ("web.de", 20.0), ("gmx.de", 18.0), ("t-online.de", 10.0), ("outlook.de", 6.0),
        ("bücher.de", 1.0), ("xn--bcher-kva.de", 1.0), ("müller-bau.de", 0.5), ("xn--mller-bau-q9a.de", 0.5),
        ("posteo.de", 2.0),
    ),
    "cz": (("seznam.cz", 45.0), ("gmail.com", 35.0), ("email.cz", 10.0), ("centrum.cz", 10.0)),
    "en": (
        ("gmail.com", 40.0), ("outlook.com", 12.0), ("hotmail.co.uk", 8.0), ("yahoo.com", 10.0), ("icloud.com", 10.0),
        ("btinternet.com", 4.0), ("aol.com", 3.0), ("orange.fr", 3.0), ("libero.it", 3.0), ("ziggo.nl", 2.0),
        ("online.no", 2.0), ("eircom.net", 2.0), ("telefonica.es", 1.0),
    ),
}

GMAIL_DOMAINS = ("gmail.com", "googlemail.com")

PLUS_TAGS = ("allegro", "shop", "zakupy", "promo", "newsletter", "spam", "2024", "sklep")

CITIES: dict[str, tuple[tuple[str, float], ...]] = {
    "PL": (
        ("Warszawa", 18.0), ("Kraków", 8.0), ("Wrocław", 6.5), ("Łódź", 6.5), ("Poznań", 5.5), ("Gdańsk", 4.8),
        ("Szczecin", 4.0), ("Bydgoszcz", 3.4), ("Lublin", 3.4), ("Białystok", 3.0), ("Katowice", 2.9),
        ("Gdynia", 2.4), ("Częstochowa", 2.1), ("Radom", 2.0), ("Rzeszów", 2.0), ("Toruń", 2.0), ("Sosnowiec", 1.9),
        ("Kielce", 1.9), ("Gliwice", 1.7), ("Olsztyn", 1.7), ("Zabrze", 1.6), ("Bielsko-Biała", 1.6),
        ("Bytom", 1.5), ("Zielona Góra", 1.4), ("Rybnik", 1.3), ("Ruda Śląska", 1.3), ("Opole", 1.2),
        ("Tychy", 1.2), ("Gorzów Wielkopolski", 1.2), ("Elbląg", 1.1), ("Płock", 1.1), ("Wałbrzych", 1.0),
        ("Włocławek", 1.0), ("Tarnów", 1.0), ("Chorzów", 1.0), ("Koszalin", 1.0), ("Kalisz", 0.9),
        ("Legnica", 0.9), ("Grudziądz", 0.9), ("Słupsk", 0.8), ("Nowy Sącz", 0.8), ("Zakopane", 0.3),
        ("Sopot", 0.4), ("Pruszków", 0.6), ("Piaseczno", 0.5), ("Łomża", 0.6), ("Suwałki", 0.6),
    ),
    "UA": (("Kyiv", 5.0), ("Lviv", 3.0), ("Kharkiv", 2.0), ("Odesa", 2.0), ("Dnipro", 2.0), ("Warszawa", 4.0)),
    "DE": (
        ("Berlin", 5.0), ("Hamburg", 2.0), ("München", 2.0), ("Köln", 1.5), ("Frankfurt am Main", 1.5),
        ("Leipzig", 1.0),
    ),
    "GB": (("London", 6.0), ("Manchester", 2.0), ("Birmingham", 2.0), ("Edinburgh", 1.0), ("Leeds", 1.0)),
    "CZ": (("Praha", 5.0), ("Brno", 2.0), ("Ostrava", 2.0), ("Plzeň", 1.0)),
    "US": (("Chicago", 4.0), ("New York", 4.0), ("Los Angeles", 2.0), ("Houston", 1.0)),
    "SK": (("Bratislava", 4.0), ("Košice", 2.0), ("Žilina", 1.0)),
    "LT": (("Vilnius", 4.0), ("Kaunas", 2.0), ("Klaipėda", 1.0)),
    "NL": (("Amsterdam", 3.0), ("Rotterdam", 2.0), ("Utrecht", 1.0)),
    "FR": (("Paris", 4.0), ("Lyon", 1.0), ("Marseille", 1.0)),
    "IT": (("Roma", 3.0), ("Milano", 3.0), ("Torino", 1.0)),
    "NO": (("Oslo", 4.0), ("Bergen", 2.0)),
    "IE": (("Dublin", 4.0), ("Cork", 1.0)),
    "ES": (("Madrid", 3.0), ("Barcelona", 3.0)),
}

SEGMENTS: tuple[tuple[str, float], ...] = (
    ("new", 18.0), ("regular", 40.0), ("loyal", 15.0), ("vip", 4.0), ("dormant", 18.0), ("business", 5.0),
)

GRANT_SOURCES: tuple[tuple[str, float], ...] = (
    ("web_checkout", 35.0), ("mobile_app", 30.0), ("cmp_banner", 15.0), ("newsletter_signup", 8.0),
    ("pos_terminal", 5.0), ("customer_service", 4.0), ("loyalty_migration", 3.0),
)

WITHDRAW_SOURCES: tuple[tuple[str, float], ...] = (
    ("preference_center", 40.0), ("mobile_app", 25.0), ("email_unsubscribe", 15.0), ("customer_service", 15.0),
    ("dsar_portal", 5.0),
)

SUPPRESSION_KINDS: tuple[tuple[str, float], ...] = (
    ("objection", 40.0), ("erasure", 20.0), ("minor", 10.0), ("account_closed", 30.0),
)

NOTICE_VERSIONS: tuple[tuple[str, str], ...] = (
    ("2018-05-25", "privacy-2018.1"),
    ("2021-03-01", "privacy-2021.1"),
    ("2023-06-15", "privacy-2023.2"),
    ("2025-01-10", "privacy-2025.1"),
    ("2026-04-01", "privacy-2026.1"),
)


def female_surname(surname: str) -> str:
    """The feminine form of a Polish surname (Kowalski → Kowalska); other surnames are unchanged."""
    for masculine, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka"), ("ny", "na")):
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    return surname
