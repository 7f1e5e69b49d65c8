"""A typed scenario through the Python client that openapi-python-client
generates from openapi/openapi.json (scripts/contract runs it against a service
with the demo data). Every call goes through the generated functions and models;
an answer the document does not describe fails the run."""

import hashlib
import io
import os
import sys
import uuid

from es_registry_client import AuthenticatedClient, Client
from es_registry_client.api.auth import sign_in
from es_registry_client.api.activities import create_activities
from es_registry_client.api.beneficiaries import create_beneficiaries
from es_registry_client.api.evidence import add_evidence, list_evidence
from es_registry_client.api.indicators import create_indicators
from es_registry_client.api.measures import create_measures
from es_registry_client.api.participants import create_participants, list_participants
from es_registry_client.api.partners import create_partners
from es_registry_client.api.priority_axes import create_priority_axes
from es_registry_client.api.programmes import create_programmes
from es_registry_client.api.projects import get_projects, list_projects, patch_projects
from es_registry_client.types import File
from es_registry_client.models import (
    Activity,
    ActivityType,
    Beneficiary,
    Evidence,
    Indicator,
    IndicatorKind,
    ListPageViewParticipant,
    ListPageViewProject,
    Measure,
    OrganisationKind,
    Participant,
    Partner,
    PartnerRole,
    PriorityAxis,
    Problem,
    Programme,
    ProgrammingPeriod,
    Project,
    ProjectPatch,
    ProjectSort,
    Sex,
    SignIn,
    TokenPair,
    ViewActivity,
    ViewBeneficiary,
    ViewIndicator,
    ViewMeasure,
    ViewParticipant,
    ViewPartner,
    ViewPriorityAxis,
    ViewProgramme,
    ViewProject,
)

BASE_URL = os.environ["BASE_URL"]


def expect(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"python client: FAILED: {what}")


def signed_in(email: str, password: str) -> AuthenticatedClient:
    tokens = sign_in.sync(client=Client(base_url=BASE_URL), body=SignIn(email=email, password=password))
    expect(isinstance(tokens, TokenPair), f"sign in as {email}: {tokens!r}")
    assert isinstance(tokens, TokenPair)
    return AuthenticatedClient(base_url=BASE_URL, token=tokens.access_token)


def created(answer, model, what: str):
    expect(isinstance(answer, model), f"create {what}: {answer!r}")
    print(f"python client: created {what} {answer.id}")
    return answer


def pesel(birth: str, serial: str) -> str:
    digits = birth + serial
    weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights)) % 10) % 10
    return digits + str(check)


def main() -> None:
    admin = signed_in(os.environ["ADMIN_EMAIL"], os.environ["ADMIN_PASSWORD"])

    # A filtered, sorted list walked to its end by cursor.
    seen: list[ViewProject] = []
    cursor = None
    while True:
        page = list_projects.sync(client=Client(base_url=BASE_URL), voivodeship="04", sort=ProjectSort.TITLE, limit=2, cursor=cursor if cursor else None)
        expect(isinstance(page, ListPageViewProject), f"list projects: {page!r}")
        assert isinstance(page, ListPageViewProject)
        seen.extend(page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    titles = [p.title for p in seen]
    expect(len(seen) == page.total and len(seen) >= 2, f"the walk saw {len(seen)} of {page.total}")
    expect(titles == sorted(titles), f"sorted by title: {titles}")
    expect(all(p.voivodeship == "04" for p in seen), "filtered to voivodeship 04")
    print(f"python client: walked {len(seen)} projects of voivodeship 04 by cursor, 2 a page, in title order")

    one = get_projects.sync(client=Client(base_url=BASE_URL), id=seen[0].id)
    expect(isinstance(one, ViewProject) and one.title == seen[0].title, f"read project {seen[0].id}")

    # The create chain, typed from end to end.
    tag = uuid.uuid4().hex[:8]
    programme = created(create_programmes.sync(client=admin, body=Programme(code=f"PY.{tag}", name="Program klienta Pythona", period=ProgrammingPeriod.PERIOD_2021_2027, voivodeship="04")), ViewProgramme, "programme")
    axis = created(create_priority_axes.sync(client=admin, body=PriorityAxis(programme_id=programme.id, number="I", name="Oś klienta")), ViewPriorityAxis, "priority axis")
    measure = created(create_measures.sync(client=admin, body=Measure(priority_axis_id=axis.id, code="1.1", name="Działanie klienta")), ViewMeasure, "measure")
    project = created(create_projects(admin, measure.id, tag), ViewProject, "project")
    organisation = created(create_beneficiaries.sync(client=admin, body=Beneficiary(name=f"Spółdzielnia Socjalna {tag}", kind=OrganisationKind.PES, voivodeship="04")), ViewBeneficiary, "organisation")
    created(create_partners.sync(client=admin, body=Partner(project_id=project.id, beneficiary_id=organisation.id, role=PartnerRole.PARTNER)), ViewPartner, "partner")
    created(create_indicators.sync(client=admin, body=Indicator(project_id=project.id, name="Liczba osób objętych wsparciem", kind=IndicatorKind.OUTPUT, target_value="12")), ViewIndicator, "indicator")

    # An evidence file, sent as bytes: its type comes from its name, and its content must be of it.
    activity = created(create_activities.sync(client=admin, body=Activity(project_id=project.id, activity_type=ActivityType.TRAINING, title="Szkolenie klienta")), ViewActivity, "activity")
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    kept = add_evidence.sync(client=admin, body=File(payload=io.BytesIO(pdf)), activity_id=activity.id, file_name="lista obecności.pdf")
    expect(isinstance(kept, Evidence), f"evidence: {kept!r}")
    assert isinstance(kept, Evidence)
    expect(kept.content_type == "application/pdf" and kept.sha256 == hashlib.sha256(pdf).hexdigest(), f"kept as a PDF with its digest: {kept!r}")
    disguised = add_evidence.sync(client=admin, body=File(payload=io.BytesIO(pdf)), activity_id=activity.id, file_name="zdjecie.png")
    expect(isinstance(disguised, Problem) and disguised.status == 422, f"a PDF named .png: {disguised!r}")
    public_list = list_evidence.sync(client=Client(base_url=BASE_URL), activity_id=activity.id)
    expect(public_list == [], f"not public, so not listed anonymously: {public_list!r}")
    print(f"python client: evidence {kept.id} kept as {kept.content_type} ({kept.size_bytes} bytes); a disguised file refused with {disguised.status}")

    # A merge patch: one field changed, one cleared, the rest kept.
    patched = patch_projects.sync(client=admin, id=project.id, body=ProjectPatch(objective="Cel zmieniony łatką", notes=None))
    expect(isinstance(patched, ViewProject), f"patch: {patched!r}")
    assert isinstance(patched, ViewProject)
    expect(patched.objective == "Cel zmieniony łatką" and not patched.notes and patched.title == project.title, "the patch changed the objective, cleared the notes, kept the title")
    print("python client: merge patch changed objective, cleared notes, kept title")

    # Participants as the region's ROPS: personal data, masked in answers.
    rops = signed_in(os.environ["ROPS_EMAIL"], os.environ["ROPS_PASSWORD"])
    person = create_participants.sync(client=rops, body=Participant(project_id=project.id, first_name="Anna", last_name="Nowak", pesel=pesel("900101", "1234"), sex=Sex.FEMALE))
    expect(isinstance(person, ViewParticipant), f"participant as rops: {person!r}")
    assert isinstance(person, ViewParticipant)
    expect(isinstance(person.pesel, str) and person.pesel.startswith("*"), f"PESEL masked: {person.pesel!r}")
    listed = list_participants.sync(client=rops, project_id=project.id)
    expect(isinstance(listed, ListPageViewParticipant) and listed.total == 1, f"participants of the project: {listed!r}")
    anonymous = list_participants.sync(client=Client(base_url=BASE_URL), project_id=project.id)
    expect(isinstance(anonymous, Problem) and anonymous.status == 401, f"participants anonymously: {anonymous!r}")
    print(f"python client: participant {person.id} created as rops, PESEL shown as {person.pesel}; anonymous list is {anonymous.status} {anonymous.code}")

    # Typed problems.
    missing = get_projects.sync(client=Client(base_url=BASE_URL), id=2_000_000_000)
    expect(isinstance(missing, Problem) and missing.status == 404, f"missing project: {missing!r}")
    invalid = create_programmes.sync(client=admin, body=Programme(code=f"PY2.{tag}", name="Zły", period=ProgrammingPeriod.PERIOD_2021_2027, voivodeship="99"))
    expect(isinstance(invalid, Problem) and invalid.status == 422 and bool(invalid.errors), f"invalid programme: {invalid!r}")
    fields = [e.field for e in invalid.errors] if invalid.errors else []
    print(f"python client: problems typed: 404 {missing.code}; 422 {invalid.code} on {fields}")
    print("python client: scenario passed")


def create_projects(client: AuthenticatedClient, measure_id: int, tag: str):
    from es_registry_client.api.projects import create_projects as create

    return create.sync(client=client, body=Project(title=f"Projekt klienta Pythona {tag}", measure_id=measure_id, voivodeship="04", objective="Cel", notes="do usunięcia"))


if __name__ == "__main__":
    main()
