

GROUPS = ("finding", "hpo", "treatment")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from([f"{s}{g}:k{i}" for s in "+-" for g in GROUPS for i in range(4)]),
            st.floats(0.1, 1),
            max_size=8,
        ),
        min_size=1,
        max_size=12,
    ),
    st.dictionaries(
        st.sampled_from([f"{s}{g}:k{i}" for s in "+-" for g in GROUPS for i in range(5)]),
        st.floats(0.1, 1),
        max_size=10,
    ),
    st.data(),
)
def test_the_concept_groups_parts_add_up_to_the_concept_score(
    vectors: list[dict[str, float]], query: dict[str, float], data: st.DataObject
) -> None:
    index = ConceptIndex.build(vectors, idf_power=1.0, length_norm=1.0)
    cases = np.array(
        sorted(data.draw(st.sets(st.integers(0, len(vectors) - 1), min_size=1))), dtype=np.int64
    )
    parts = index.group_scores(query, GROUPS, cases)
    assert parts.shape == (len(GROUPS), len(cases))
    assert parts.sum(axis=0) == pytest.approx(index.scores(query)[cases], rel=1e-5, abs=1e-6)
