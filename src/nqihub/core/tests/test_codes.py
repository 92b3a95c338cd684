from hypothesis import given
from hypothesis import strategies as st

from nqihub.core.codes import code_labels, split_codes
from nqihub.directory.models import NqiElement


def test_split_and_label():
    assert split_codes(",metrology,testing,") == ["metrology", "testing"]
    assert split_codes("") == split_codes(None) == []
    assert code_labels(["testing", "unknown"], NqiElement.choices) == ["检验检测", "unknown"]


codes = st.lists(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), max_size=6)


@given(codes)
def test_what_is_stored_comes_back(items):
    assert split_codes("," + ",".join(items) + ",") == items
