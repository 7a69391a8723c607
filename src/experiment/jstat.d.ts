// jstat 1.9.6 ships no types; only what this project calls is declared.
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  const jStat: {
    readonly chisquare: Distribution;
    readonly normal: Distribution;
    readonly ztest: (z: number, sides: 1 | 2) => number;
  };
  export default jStat;
}
