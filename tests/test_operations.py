"""Declared methods (``_api/operations.py``): one signature, everything else derived."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any

import attrs
import pytest

from thulium_async import InvalidInputError, NotFoundError
from thulium_async._api.endpoints import EXAMPLE, FORMAT, KIND, Paging, PathKind
from thulium_async._api.openapi import openapi_document
from thulium_async._api.operations import (
    Body,
    PathValue,
    Query,
    checked_arguments,
    endpoint_of,
    endpoints_of,
    example_call,
    operation,
)
from thulium_async._api.paging import Pages
from thulium_async._core.wallclock import CLOCK, Clock
from thulium_async._models.fields import WIRE
from thulium_async._models.users import User


def _not_both(status: str | None, other: str | None) -> None:
    if status is not None and other is not None:
        raise InvalidInputError("give status or other, not both")


class Sent(Exception):
    """What a toy namespace would have sent."""


class Toy:
    """A namespace whose sends are recorded instead of made.

    Path values are checked as ``Namespace``'s route checks them (by rendering the
    path) before anything would be sent: the declared method leaves them to it.
    """

    def _send(self, endpoint: Any, *values: object, **parts: object) -> Any:
        endpoint.render(*values)
        raise Sent(endpoint, values, parts)

    def _list(self, endpoint: Any, *values: object, **parts: object) -> Any:
        endpoint.render(*values)
        raise Sent(endpoint, values, parts)

    @operation(
        "toys.add",
        "POST",
        "toys/{outbound_id}/records",
        side_effect="add the record twice",
        doc="csv_outbounds/post_outbounds_id_records",
    )
    async def add(
        self,
        outbound_id: Annotated[
            str, PathValue("the campaign", PathKind.CAMPAIGN, example="00001")
        ],
        phone_number: Annotated[
            str, Body("the number to call", example="333444555", format="phone")
        ],
        *,
        agent_login: Annotated[
            str | None, Body("the agent to give it to", kind=PathKind.LOGIN)
        ] = None,
        next_call_date: Annotated[
            datetime | None, Body("when to call", clock=Clock.MINUTES)
        ] = None,
        tags: Annotated[Sequence[str] | None, Body("its tags", wire="tags[]")] = None,
        fields: Annotated[Mapping[str, Any] | None, Body("its own fields")] = None,
        dry: Annotated[bool | None, Query("only check it")] = None,
    ) -> None:
        """Add *phone_number* to campaign *outbound_id*."""

    @operation(
        "toys.list", "GET", "toys", paging=Paging(max_limit=100), check=_not_both
    )
    def list(
        self,
        *,
        status: Annotated[str | None, Query("the status", choices=("A", "B"))] = None,
        other: Annotated[str | None, Query("another filter")] = None,
        limit: int | None = None,
        offset: int = 0,
        concurrency: int = 8,
    ) -> Pages[User]:
        """List the toys."""


async def sent(call: Any) -> tuple[Any, tuple[object, ...], dict[str, Any]]:
    async def run() -> None:
        result = call()
        if inspect.isawaitable(result):
            await result

    with pytest.raises(Sent) as caught:
        await run()
    endpoint, values, parts = caught.value.args
    return endpoint, values, parts


async def test_a_call_checks_its_arguments_and_sends_one_declared_request() -> None:
    endpoint, values, parts = await sent(
        lambda: Toy().add(
            "00001", "+48 500-333-222", agent_login="jkowalski", tags=["a", "b"]
        )
    )
    assert endpoint is endpoint_of(Toy.add)
    assert values == ("00001",)
    body = parts["body"]
    assert (body.phone_number, body.agent_login, body.tags) == (
        "+48500333222",
        "jkowalski",
        ("a", "b"),
    )
    assert parts["query"].dry is None


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ((("0001", "500333222"), {}), "outbound_id"),
        ((("00001", "12"), {}), "phone_number"),
        ((("00001", "500333222"), {"agent_login": "a/b"}), "agent_login"),
        ((("00001", "500333222"), {"next_call_date": "tomorrow"}), "next_call_date"),
        ((("00001", "500333222"), {"tags": "ab"}), "tags"),
        ((("00001", "500333222"), {"fields": ["x"]}), "fields"),
        ((("00001", "500333222"), {"dry": "yes"}), "dry"),
    ],
)
async def test_a_bad_argument_is_refused_by_name_and_nothing_is_sent(
    arguments: tuple[tuple[Any, ...], dict[str, Any]], named: str
) -> None:
    args, kwargs = arguments
    with pytest.raises(InvalidInputError, match=named):
        await Toy().add(*args, **kwargs)  # Sent would mean it went out


async def test_a_paged_list_goes_to_list_with_its_controls() -> None:
    endpoint, _, parts = await sent(lambda: Toy().list(status="B", limit=10))
    assert endpoint.paging.max_limit == 100
    assert endpoint.returns is User
    assert parts["query"].status == "B"
    assert (parts["limit"], parts["offset"], parts["concurrency"]) == (10, 0, 8)
    with pytest.raises(InvalidInputError, match="status"):
        Toy().list(status="C")
    with pytest.raises(InvalidInputError, match="not both"):  # the declared check
        Toy().list(status="A", other="x")


def test_the_declaration_is_made_from_the_signature() -> None:
    endpoint = endpoint_of(Toy.add)
    assert endpoint.body is not None
    assert endpoint.query is not None
    assert endpoint.params == {"outbound_id": PathKind.CAMPAIGN}
    assert endpoint.path_examples == {"outbound_id": "00001"}
    assert not endpoint.is_idempotent
    fields = {f.name: f for f in attrs.fields(endpoint.body)}
    assert list(fields) == [
        "phone_number",
        "agent_login",
        "next_call_date",
        "tags",
        "fields",
    ]
    assert fields["phone_number"].default is attrs.NOTHING
    assert fields["phone_number"].metadata[FORMAT] == "phone"
    assert fields["phone_number"].metadata[EXAMPLE] == "333444555"
    assert fields["agent_login"].metadata[KIND] is PathKind.LOGIN
    assert fields["next_call_date"].metadata[CLOCK] is Clock.MINUTES
    assert fields["tags"].metadata[WIRE] == "tags[]"
    assert [f.name for f in attrs.fields(endpoint.query)] == ["dry"]
    assert endpoints_of(Toy) == (endpoint, endpoint_of(Toy.list))


def test_the_document_reads_a_declared_method_like_any_declaration() -> None:
    document = openapi_document(endpoints_of(Toy), ())
    post = document["paths"]["/toys/{outbound_id}/records"]["post"]
    assert post["x-thulium-side-effect"] == "add the record twice"
    body = post["requestBody"]["content"]["application/json"]
    assert body["example"]["phone_number"] == "333444555"


def test_help_shows_the_plain_signature_and_a_derived_docstring() -> None:
    assert str(inspect.signature(Toy.list)) == (
        "(self, *, status: str | None = None, other: str | None = None, "
        "limit: int | None = None, "
        "offset: int = 0, concurrency: int = 8) -> "
        "thulium_async._api.paging.Pages[thulium_async._models.users.User]"
    )
    doc = Toy.add.__doc__ or ""
    assert doc.startswith("Add *phone_number* to campaign *outbound_id*.")
    assert "    phone_number: the number to call." in doc
    assert "InvalidInputError" in doc
    assert "DeliveryUnknownError" in doc
    assert "add the record twice" in doc


def test_a_declaration_that_contradicts_itself_fails_when_it_is_made() -> None:
    with pytest.raises(TypeError, match="names"):

        @operation("x.get", "GET", "x/{login}")
        async def get(self: object) -> None: ...

    with pytest.raises(TypeError, match="Annotated"):

        @operation("x.get", "GET", "x")
        async def bare(self: object, name: str) -> None: ...


@attrs.frozen
class Created:
    """What ``ids.create`` answers."""

    ticket_id: int


class Ids:
    """Declarations that exercise an id path, a flag, an empty filter and a picked field."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, tuple[object, ...], dict[str, Any]]] = []

    async def _send(self, endpoint: Any, *values: object, **parts: object) -> Any:
        self.sent.append((endpoint, values, parts))
        return Created(ticket_id=7)

    @operation("ids.get", "GET", "ids/{ticket_id}")
    async def get(
        self,
        ticket_id: Annotated[int, PathValue("the ticket", PathKind.ID, example=12)],
        *,
        include_custom_fields: Annotated[bool, Query("with its fields")] = False,
        phone_number: Annotated[
            str | None, Query("'' for those without one", empty=True)
        ] = None,
        data: Annotated[
            str | Mapping[str, Any] | None, Query("text or an object")
        ] = None,
    ) -> None:
        """Read it."""

    @operation(
        "ids.create",
        "POST",
        "ids",
        side_effect="create it twice",
        answer=(Created, "ticket_id"),
    )
    async def create(
        self, subject: Annotated[str, Body("its subject", example="Hi")]
    ) -> int:
        """Create one; return its id."""


async def test_an_id_path_value_goes_to_the_route_as_the_int_it_is() -> None:
    ids = Ids()
    await ids.get(12)
    ((_, values, parts),) = ids.sent
    assert values == (12,)
    assert parts["query"].include_custom_fields is None  # a False flag is not sent


async def test_flags_empty_text_and_unions_are_checked_by_their_declaration() -> None:
    ids = Ids()
    await ids.get(12, include_custom_fields=True, phone_number="", data={"a": 1})
    query = ids.sent[-1][2]["query"]
    assert (query.include_custom_fields, query.phone_number) == (True, "")
    assert query.data == {"a": 1}
    await ids.get(12, data="text")
    with pytest.raises(InvalidInputError, match="data must be a string or a mapping"):
        await ids.get(12, data=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="include_custom_fields must be given"):
        await ids.get(12, include_custom_fields=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="include_custom_fields"):
        await ids.get(12, include_custom_fields="yes")  # type: ignore[arg-type]


async def test_a_method_can_give_one_field_of_its_answer() -> None:
    ids = Ids()
    assert await ids.create("Hi") == 7
    assert endpoint_of(Ids.create).returns is Created
    assert example_call(Ids.create) == {"subject": "Hi"}


class Removals:
    """A removal that counts a 404 after an ambiguous attempt as done, and a secret."""

    def __init__(self, attempts: int) -> None:
        self.attempts = attempts
        self.sent: list[Any] = []

    async def _send(self, endpoint: Any, *values: object, **parts: object) -> Any:
        self.sent.append(parts)
        gone = NotFoundError(
            "answered 404", status=404, body="", method="DELETE", url="x"
        )
        gone.attempts = self.attempts
        raise gone

    @operation("removals.remove", "DELETE", "removals/{login}", gone_is_done=True)
    async def remove(
        self,
        login: Annotated[str, PathValue("the login", PathKind.LOGIN, example="jk")],
        *,
        phone_number: Annotated[
            str | None, Query("'' for none", format="phone", empty=True)
        ] = None,
    ) -> None:
        """Remove it."""

    @operation("removals.protect", "POST", "removals", side_effect="set it twice")
    async def protect(
        self, password: Annotated[str, Body("the password", secret=True)]
    ) -> None:
        """Set a password."""


async def test_a_404_after_an_ambiguous_attempt_is_done_and_a_first_404_raises() -> (
    None
):
    removals = Removals(attempts=2)
    await removals.remove("jk")  # returns normally: the first attempt removed it
    assert len(removals.sent) == 1
    with pytest.raises(NotFoundError):
        await Removals(attempts=1).remove("jk")


async def test_an_empty_phone_filter_is_its_own_value_and_a_number_is_compacted() -> (
    None
):
    removals = Removals(attempts=2)
    await removals.remove("jk", phone_number="")
    await removals.remove("jk", phone_number="+48 500-333-222")
    assert [p["query"].phone_number for p in removals.sent] == ["", "+48500333222"]
    with pytest.raises(InvalidInputError, match="phone_number"):
        await removals.remove("jk", phone_number="12")


async def test_a_secret_is_never_shown() -> None:
    removals = Removals(attempts=2)
    with pytest.raises(InvalidInputError) as caught:
        await removals.protect("   ")
    assert "password" in str(caught.value)
    assert "   '" not in str(caught.value)
    with pytest.raises(NotFoundError):
        await removals.protect("s3cret")
    body = removals.sent[-1]["body"]
    assert "s3cret" not in repr(body)


def test_an_empty_phone_filter_is_allowed_by_the_document_too() -> None:
    document = openapi_document(endpoints_of(Removals), ())
    (parameter,) = document["paths"]["/removals/{login}"]["delete"]["parameters"][1:]
    assert parameter["schema"]["pattern"] == r"^(\+?[0-9]{3,15})?$"


@attrs.frozen
class Entry:
    """A batch answer's line for one id."""

    status: int


@attrs.frozen
class Place:
    """A value the user builds and passes whole."""

    city: str


def _per_id(answer: Mapping[str, Entry], *, ids: tuple[int, ...], **_: object) -> Any:
    return [(i, answer[str(i)].status if str(i) in answer else 0) for i in ids]


class Batches:
    """A batch whose answer is shaped into one result per id, and bodies of JSON text."""

    def __init__(self, answer: object = None) -> None:
        self.answer = answer
        self.sent: list[dict[str, Any]] = []

    async def _send(self, endpoint: Any, *values: object, **parts: object) -> Any:
        self.sent.append(parts)
        return self.answer

    @operation(
        "batches.remove",
        "DELETE",
        "batches",
        answer=(dict[str, Entry], _per_id),
    )
    async def remove(
        self,
        ids: Annotated[
            Iterable[int],
            Query("the ids", kind=PathKind.ID, wire="id[]", unique=True),
        ],
    ) -> list[tuple[int, int]]:
        """Remove them."""

    @operation("batches.note", "POST", "batches/notes", side_effect="note it twice")
    async def note(
        self,
        payload: Annotated[
            str | Sequence[Any] | Mapping[str, Any], Body("the data", format="json")
        ],
        place: Annotated[Place | None, Body("where")] = None,
    ) -> None:
        """Write a note."""


async def test_a_batch_answer_is_shaped_per_item_and_each_id_is_sent_once() -> None:
    batches = Batches({"3": Entry(204), "1": Entry(404)})
    assert await batches.remove(iter([3, 1, 3, 2])) == [(3, 204), (1, 404), (2, 0)]
    assert batches.sent[0]["query"].ids == (3, 1, 2)
    assert endpoint_of(Batches.remove).returns == dict[str, Entry]
    with pytest.raises(InvalidInputError, match="ids must be"):
        await batches.remove([3, True])
    assert len(batches.sent) == 1


async def test_json_text_is_sent_as_given_or_written_from_a_list() -> None:
    batches = Batches()
    await batches.note('[{"a": 1}]')
    await batches.note([{"id": "ż"}], place=Place("Kraków"))
    first, second = (sent["body"] for sent in batches.sent)
    assert first.payload == '[{"a": 1}]'
    assert second.payload == '[{"id":"ż"}]'
    assert second.place == Place("Kraków")
    for bad, named in (({1, 2}, "payload must be JSON text"), ("  ", "payload")):
        with pytest.raises(InvalidInputError, match=named):
            await batches.note(bad)  # type: ignore[arg-type]  # the point
    with pytest.raises(InvalidInputError, match="place must be a Place, got dict"):
        await batches.note("[]", place={"city": "Kraków"})  # type: ignore[arg-type]
    assert len(batches.sent) == 2
    body: Any = endpoint_of(Batches.note).body
    assert (
        attrs.fields_dict(body)["payload"].type is str
    )  # JSON text is text on the wire


def test_a_batch_item_is_checked_by_the_method_whose_arguments_it_holds() -> None:
    """customers.create_many's items are customers.create's arguments: one declaration."""
    item = {"phone_number": "+48 500-333-222", "tags": ["a"]}
    assert checked_arguments(Toy.add, item, where="records[0]") == {
        "phone_number": "+48500333222",
        "tags": ("a",),
    }
    refusals = [
        ({"tags": ["a"]}, True, r"records\[0\] needs its phone_number"),
        ({"phone_number": "1"}, True, r"records\[0\]\.phone_number"),
        ({"colour": "red"}, False, r"records\[0\] has unknown fields \['colour'\]"),
        ({"tags": "ab"}, False, r"records\[0\]\.tags must be a list"),
        (["phone_number"], True, r"records\[0\] must be a mapping"),
    ]
    for values, required, message in refusals:
        with pytest.raises(InvalidInputError, match=message):
            checked_arguments(Toy.add, values, where="records[0]", required=required)
    # A change names only what it changes: nothing is required, None is left out.
    assert checked_arguments(
        Toy.add, {"agent_login": "jk", "tags": None}, where="x", required=False
    ) == {"agent_login": "jk"}
