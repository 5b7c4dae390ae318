describe('test registry', () => {
  it('answers the OCI distribution base endpoint', async () => {
    const res = await fetch(`http://${process.env.AG_TEST_REGISTRY}/v2/`);
    expect(res.status).toBe(200);
  });
});
