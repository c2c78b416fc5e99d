// test/global-teardown.js
module.exports = async () => {
  await globalThis.dynamodbLocal?.stop();
};
