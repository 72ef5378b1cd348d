"""Pure parts of the foundation: error tree, settings, topology, local-Kafka layout, CLI help."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.deadletter_monitor import observe_dead_letter, should_alert
from broker.cli import cli
from broker.errors import MareError, all_subclasses, errors_by_code
from broker.local_kafka import NodeState, kafka_uuid, server_properties
from broker.regions import region_keys
from broker.settings import Settings
from broker.topology import Kind, Topology

pytestmark = pytest.mark.unit


def test_every_error_code_is_unique_so_partners_can_match_on_it() -> None:
    classes = [MareError, *all_subclasses(MareError)]

    assert len({cls.code for cls in classes}) == len(classes)
    assert set(errors_by_code().values()) == set(classes)


def test_settings_are_read_from_mare_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MARE_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("MARE_KAFKA_VERSION", "3.9.2")
    monkeypatch.setenv("MARE_PROCESSING_GUARANTEE", "exactly_once")

    settings = Settings()

    assert settings.bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert settings.kafka_version == "3.9.2"
    assert settings.processing_guarantee == "exactly_once"


def test_an_unsupported_kafka_version_is_refused_with_the_allowed_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MARE_KAFKA_VERSION", "2.8.0")

    with pytest.raises(ValueError, match=r"4\.4\.0"):
        Settings()


def test_each_region_has_an_inbound_topic_per_kind_and_an_outbound_per_delivered_kind() -> None:
    names = {spec.name for spec in Topology().all_topics()}

    for region in region_keys():
        for kind in Kind:
            assert f"mare.{region}.{kind}.in" in names
        assert f"mare.{region}.offer.out" in names
        assert f"mare.{region}.ack.out" in names


def test_topic_names_are_unique_and_namespaced() -> None:
    specs = Topology("staging").all_topics()

    assert len({s.name for s in specs}) == len(specs)
    assert all(s.name.startswith("staging.") for s in specs)


def test_compacted_state_topics_and_retained_dead_letters_get_their_configs() -> None:
    topology = Topology()

    assert topology.sla_state.config() == {"cleanup.policy": "compact"}
    assert topology.deadletter.config()["retention.ms"] == str(90 * 24 * 3600 * 1000)
    assert topology.seen_events.config()["cleanup.policy"] == "compact,delete"


def test_a_topic_name_tells_its_region_and_kind() -> None:
    topology = Topology()

    assert topology.region_of_topic("mare.corse.referral.in") == "corse"
    assert topology.kind_of_topic("mare.corse.referral.in") == Kind.REFERRAL
    assert topology.region_of_topic("mare.deadletter") is None
    assert topology.region_of_topic("other.corse.referral.in") is None


def test_inbound_retention_allows_a_month_of_replay() -> None:
    assert Topology().inbound("paca", Kind.OFFER).retention == timedelta(days=30)


def test_a_three_node_cluster_requires_two_in_sync_replicas() -> None:
    props = server_properties(NodeState(2, 9093, 9094), "1@x:1,2@x:2,3@x:3", _path(), 3)

    assert props["min.insync.replicas"] == "2"
    assert props["default.replication.factor"] == "3"
    assert props["node.id"] == "2"
    assert props["auto.create.topics.enable"] == "false"


def test_a_single_node_keeps_internal_topics_at_replication_one() -> None:
    props = server_properties(NodeState(1, 9093, 9094), "1@x:1", _path(), 1)

    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"


def test_cluster_ids_look_like_kafka_uuids() -> None:
    ids = {kafka_uuid() for _ in range(50)}

    assert len(ids) == 50
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)


@pytest.mark.parametrize(
    ("count", "alert"),
    [(1, True), (2, False), (10, True), (11, False), (100, True), (300, False), (1000, True)],
)
def test_dead_letter_alerts_fire_on_first_and_each_power_of_ten(count: int, alert: bool) -> None:
    assert should_alert(count) is alert


def test_observing_a_dead_letter_counts_it_and_carries_its_region() -> None:
    count, alerts = observe_dead_letter(9, "SIRET_INVALID", "paca")

    assert count == 10
    assert [(a.error_code, a.count, a.region) for a in alerts] == [("SIRET_INVALID", 10, "paca")]


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["up"],
        ["worker"],
        ["doctor"],
        ["kafka"],
        ["kafka", "start"],
        ["kafka", "stop"],
        ["kafka", "status"],
        ["topics"],
        ["topics", "create"],
        ["topics", "list"],
    ],
)
def test_every_command_explains_itself_with_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])

    assert result.exit_code == 0
    assert "Usage" in result.output
    assert len(result.output.splitlines()) > 5


def test_topics_list_prints_the_topology_without_a_broker() -> None:
    result = CliRunner().invoke(cli, ["topics", "list"])

    assert result.exit_code == 0
    assert "mare.toscana.offer.in" in result.output


def _path() -> Path:
    return Path("/tmp/logs")


def test_missing_java_is_explained_with_the_alternatives(monkeypatch: pytest.MonkeyPatch) -> None:
    from broker.errors import KafkaPrerequisiteMissing
    from broker.local_kafka import find_java

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)

    with pytest.raises(KafkaPrerequisiteMissing) as missing:
        find_java()

    message = str(missing.value)
    assert "Java 17" in message
    assert "MARE_BOOTSTRAP_SERVERS" in message
    assert "docker compose up" in message


def test_missing_maven_is_explained_with_the_alternatives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from broker.errors import KafkaPrerequisiteMissing
    from broker.local_kafka import find_maven

    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(KafkaPrerequisiteMissing, match="apt-get install maven"):
        find_maven()


def test_a_rocksdb_table_store_without_rocksdict_says_how_to_install_it() -> None:
    import importlib.util

    from broker.app import create_app
    from broker.errors import ConfigurationInvalid

    if importlib.util.find_spec("rocksdict") is not None:
        pytest.skip("rocksdict is installed here: the store is available")

    with pytest.raises(ConfigurationInvalid, match=r"mare-broker\[rocksdb\]"):
        create_app(Settings(table_store="rocksdb"), "127.0.0.1:9092", wirings=[])
