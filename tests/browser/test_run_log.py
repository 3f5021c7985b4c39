"""The driver's state-based wait (``studio_driver.RunLog``) on recorded websocket messages, without a browser."""

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from studio_driver import RunLog


def request() -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    return msg.SerializeToString()


def started() -> bytes:
    msg = ForwardMsg()
    msg.new_session.page_script_hash = "x"
    return msg.SerializeToString()


def finished(status=ForwardMsg.FINISHED_SUCCESSFULLY) -> bytes:
    msg = ForwardMsg()
    msg.script_finished = status
    return msg.SerializeToString()


def test_a_request_is_settled_only_by_a_run_that_started_after_it_and_finished():
    log = RunLog()
    assert not log.settled()                       # the first run has not happened
    log.sent(request()), log.received(started()), log.received(finished())
    assert log.settled()
    mark = log.seq
    assert not log.settled(since=mark)             # the action's request is not sent yet
    log.sent(request())
    assert not log.settled(since=mark)
    log.received(finished())                       # the end of a run that started before the request
    assert not log.settled(since=mark)
    log.received(started())
    assert not log.settled(since=mark)
    log.received(finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN))   # interrupted: another run follows
    assert not log.settled(since=mark)
    log.received(started()), log.received(finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY))
    assert log.settled(since=mark)


def test_other_frames_are_ignored():
    log = RunLog()
    heartbeat = BackMsg()
    heartbeat.app_heartbeat = True
    log.sent(heartbeat.SerializeToString()), log.sent("text frame"), log.received(b"\xff\x00 not a protobuf")
    assert log.seq == 0
