// Run the suite in a far-from-Shanghai zone so any accidental use of the device's time zone shows up.
module.exports = () => {
  process.env.TZ = 'America/Los_Angeles'
}
