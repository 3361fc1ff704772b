//! Risk grading and control (安全风险分级管控): risk points, risks with their assessment versions,
//! control measures, the grading settings and re-grading, and coupling to hazards.
